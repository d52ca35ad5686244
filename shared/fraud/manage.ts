import type { SecretKeys } from '../crypto/secret-keys.ts';
import { NotFound } from '../errors.ts';
import type { FraudStore } from './blocks.ts';
import { rangeTag, type FraudBlock } from './ranges.ts';
import type { PutFraudBlockRequest } from './schemas.ts';

/**
 * Ops' hand on the brakes: list, block and lift ranges and countries. A whole country is paused
 * only here (or with `npm run brake`), never by an alarm. Every change is audited with its actor.
 */
export type FraudOpsDeps = { fraud: FraudStore; keys: SecretKeys; now: () => number };

const view = (b: FraudBlock) => ({
  kind: b.kind, key: b.key, reason: b.reason, since: new Date(b.since).toISOString(), until: new Date(b.until).toISOString(),
  ...(b.sent !== undefined ? { sent: b.sent, approved: b.approved ?? 0 } : {}),
});

export async function listBlocks(deps: Pick<FraudOpsDeps, 'fraud' | 'now'>) {
  const blocks = await deps.fraud.list(deps.now());
  return { blocks: blocks.sort((a, b) => a.kind.localeCompare(b.kind) || a.key.localeCompare(b.key)).map(view) };
}

export async function putBlock(deps: FraudOpsDeps, actor: string, input: PutFraudBlockRequest) {
  const now = deps.now();
  const block: FraudBlock = { kind: input.kind, key: input.key, reason: input.reason, since: now, until: now + input.hours * 3_600_000 };
  await deps.fraud.put(
    { ...block, ...(input.kind === 'prefix' ? { tag: rangeTag(deps.keys.blindIndexKey, input.key) } : {}) },
    { actor, action: 'fraud.block', outcome: `${input.kind}:${input.key}` },
  );
  return view(block);
}

export async function liftBlock(deps: FraudOpsDeps, actor: string, kind: 'prefix' | 'country', key: string) {
  const stored = kind === 'prefix' ? rangeTag(deps.keys.blindIndexKey, key) : key;
  if (!(await deps.fraud.lift(kind, stored, { actor, action: 'fraud.unblock', outcome: `${kind}:${key}` }))) throw new NotFound();
  return { kind, key, status: 'lifted' as const };
}
