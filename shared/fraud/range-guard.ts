import { DestinationNotAllowed, RateLimited } from '../errors.ts';
import type { SecretKeys } from '../crypto/secret-keys.ts';
import type { Phone } from '../phone/phone.ts';
import type { LimitCounter } from '../ratelimit/limits.ts';
import type { FraudStore } from './blocks.ts';
import { RangeRefused, type RangeCheck } from './ranges.ts';

/** The windows an attack on a range fills, which a trusted number does not count in (docs/fraud.md). */
const FILLED_BY_ATTACKS: ReadonlySet<string> = new Set<LimitCounter['name']>(['prefix']);
/** A trusted number's send: every window but those an attack on its range fills. */
export const trustedCounters = (counters: LimitCounter[]) => counters.filter((c) => !FILLED_BY_ATTACKS.has(c.name));

/**
 * Runs a send's write with the range rule inside its transaction. When the range refuses, or the
 * destination prefix's window is full, a number that verified before (or opened a message) is
 * trusted and sent to anyway, written again with its range counted but unchecked and outside the
 * prefix window (the approval that counts back then meets the send it counts against):
 * nothing an attack on its range fills refuses it (the rare path costs a read and a write more).
 * Anyone else gets `403 prefix_blocked` (or the window's `429`), and a range the rule refused is
 * blocked for `blockMinutes`, with its audit event.
 */
export async function withinRange<T>(
  deps: { fraud: FraudStore; keys: SecretKeys },
  who: { range: RangeCheck; phone: Phone; phoneIndex: string; nowMs: number },
  write: (range: RangeCheck, trusted: boolean) => Promise<T>,
): Promise<T> {
  const rules = who.range.rules;
  const trusted = () => deps.fraud.isTrusted(who.phoneIndex, who.nowMs - rules.trustDays * 86_400_000);
  try {
    return await write(who.range, false);
  } catch (error) {
    if (error instanceof RateLimited && FILLED_BY_ATTACKS.has(String(error.extra.limit))) {
      if (await trusted()) return write({ ...who.range, trusted: true }, true);
      throw error;
    }
    if (!(error instanceof RangeRefused)) throw error;
    if (await trusted()) return write({ ...who.range, trusted: true }, true);
    if (error.why !== 'blocked') {
      await deps.fraud.blockRange(who.range, { reason: error.why, ...(error.window ?? { sent: 0, approved: 0 }) }, who.nowMs + rules.blockMinutes * 60_000, who.nowMs, {
        actor: 'system', action: 'fraud.block', outcome: `prefix:${who.range.digits}`,
      });
    }
    throw new DestinationNotAllowed('prefix_blocked');
  }
}
