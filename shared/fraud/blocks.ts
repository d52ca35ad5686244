import type { NewAuditEvent } from '../audit/event.ts';
import type { FraudBlock, RangeBlockReason, RangeCheck } from './ranges.ts';

/**
 * The port for range and country blocks and for trust; DynamoDB implements it
 * (adapters/store/fraud-store.ts). Every change of a block commits with its audit event.
 */
export interface FraudStore {
  /** Verified within the window: an approved code or an opened message since `sinceMs` (and before `beforeMs`, when given). */
  isTrusted(phoneIndex: string, sinceMs: number, beforeMs?: number): Promise<boolean>;
  /** The range rule refused a send: block the range until `untilMs`, recording why and what was seen. */
  blockRange(r: RangeCheck, seen: { reason: RangeBlockReason; sent: number; approved: number }, untilMs: number, nowMs: number, event: NewAuditEvent): Promise<void>;
  list(nowMs: number): Promise<FraudBlock[]>;
  /** Ops block by hand; `tag` is the range's stored tag when kind is prefix. */
  put(block: FraudBlock & { tag?: string }, event: NewAuditEvent): Promise<void>;
  /** False when there was no such block. */
  lift(kind: 'prefix' | 'country', keyOrTag: string, event: NewAuditEvent): Promise<boolean>;
}
