import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { NewAuditEvent } from '../../audit/event.ts';
import type { LimitCounter } from '../../ratelimit/limits.ts';
import type { AuditItems } from './audit-items.ts';
import { ConditionFailed, CounterReached, transactWithLimits, type Guarded, type TransactItem } from './rate-limit-ops.ts';

export type Update = {
  UpdateExpression: string;
  ConditionExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Record<string, unknown>;
};
export type WriteResult<T> = { ok: true } | { ok: false; current: T | undefined };

/**
 * The shape of every action on a record: its conditional update, the counters and guards it must
 * pass and its audit event, in one transaction: one round trip, no read. On a failed condition of
 * the record the answer carries the record as it was (ReturnValuesOnConditionCheckFailure).
 */
export async function writeWithEvent<T>(
  s: { doc: DynamoDBDocumentClient; tableName: string; audit: AuditItems; fromItem: (item: Record<string, unknown> | undefined) => T | undefined },
  w: { key: Record<string, string>; update: Update; event: NewAuditEvent; nowMs: number; counters?: LimitCounter[]; guards?: Guarded[]; also?: TransactItem[] },
): Promise<WriteResult<T>> {
  try {
    await transactWithLimits(s.doc, s.tableName, w.counters ?? [], [
      ...(w.guards ?? []),
      { Update: { TableName: s.tableName, Key: w.key, ...w.update, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } },
      s.audit.put(w.event),
      ...(w.also ?? []),
    ], w.nowMs);
    return { ok: true };
  } catch (error) {
    if (!(error instanceof ConditionFailed)) throw error;
    // The record's own condition failed and DynamoDB returned it as it was: no read needed.
    const own = w.guards?.length ?? 0;
    if (error.index === own && error.item) return { ok: false, current: s.fromItem(error.item) };
    // Another item's condition, or no item returned (seen on DynamoDB Local under load): read the
    // record, so a caller never mistakes "not returned" for "not there" (a 404 for a wrong code).
    const read = await s.doc.send(new GetCommand({ TableName: s.tableName, Key: w.key, ConsistentRead: true }));
    return { ok: false, current: s.fromItem(read.Item) };
  }
}

/**
 * A wrong code with the number's failed-verification windows. The windows have no limit here
 * (failures are always counted) but the one failure that fills a window is told (CounterReached)
 * and written again as the lock it is: a third round trip, once per lock.
 */
export async function recordFailureWithEvent<T>(
  s: Parameters<typeof writeWithEvent<T>>[0],
  w: { key: Record<string, string>; update: Update; nowMs: number; failures: LimitCounter[]; event: (locked: boolean) => NewAuditEvent },
): Promise<WriteResult<T> & { locked?: boolean }> {
  const counters = w.failures.map((c) => ({ ...c, countOnly: true, reachAt: c.limit }));
  try {
    return await writeWithEvent(s, { ...w, counters, event: w.event(false) });
  } catch (error) {
    if (!(error instanceof CounterReached)) throw error;
    const plain = counters.map(({ reachAt: _r, ...c }) => c);
    return { ...(await writeWithEvent(s, { ...w, counters: plain, event: w.event(true) })), locked: true };
  }
}
