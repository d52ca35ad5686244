import { DestinationNotAllowed } from '../errors.ts';
import type { SecretKeys } from '../crypto/secret-keys.ts';
import type { Phone } from '../phone/phone.ts';
import type { FraudStore } from './blocks.ts';
import { RangeRefused, type RangeCheck } from './ranges.ts';

/**
 * Runs a send's write with the range rule inside its transaction. When the range refuses, a number
 * that verified before is trusted and sent to anyway (written again without the range items; the
 * rare path costs a read and a write more); anyone else gets `403 prefix_blocked`, and a range whose
 * conversion fell below the rule is blocked for `blockMinutes`, with its audit event.
 */
export async function withinRange<T>(
  deps: { fraud: FraudStore; keys: SecretKeys },
  who: { range: RangeCheck; phone: Phone; phoneIndex: string; nowMs: number },
  write: (range: RangeCheck | undefined) => Promise<T>,
): Promise<T> {
  try {
    return await write(who.range);
  } catch (error) {
    if (!(error instanceof RangeRefused)) throw error;
    const rules = who.range.rules;
    if (await deps.fraud.isTrusted(who.phoneIndex, who.nowMs - rules.trustDays * 86_400_000)) return write(undefined);
    if (error.why === 'low_conversion') {
      await deps.fraud.blockRange(who.range, error.window ?? { sent: 0, approved: 0 }, who.nowMs + rules.blockMinutes * 60_000, who.nowMs, {
        actor: 'system', action: 'fraud.block', outcome: `prefix:${who.range.digits}`,
      });
    }
    throw new DestinationNotAllowed('prefix_blocked');
  }
}
