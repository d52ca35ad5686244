import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBDocumentClient, TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { DestinationNotAllowed, RateLimited } from '../../errors.ts';
import { randomInt } from 'node:crypto';
import { onShard, SHARD_RETRIES, type LimitCounter } from '../../ratelimit/limits.ts';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];
/** A transaction item and, optionally, the error its failed condition means (e.g. an opt-out). */
export type Guarded = TransactItem & { onConditionFailed?: (old: Record<string, unknown> | undefined) => Error };

const counterKey = (c: LimitCounter) => ({ pk: `RL#${c.key}`, sk: 'RL' });

/** One window's counter: +1 unless full (or, check-only, just "not full"). */
function counterUpdate(tableName: string, c: LimitCounter): TransactItem {
  if (c.countOnly) {
    const add = increment(tableName, c);
    if (c.reachAt === undefined) return { Update: add };
    // Counted without a limit, but the transaction that takes the window to `reachAt` is told so.
    return {
      Update: {
        ...add,
        ConditionExpression: 'attribute_not_exists(#n) OR #n <> :before',
        ExpressionAttributeValues: { ...add.ExpressionAttributeValues, ':before': c.reachAt - 1 },
      },
    };
  }
  if (c.checkOnly) {
    return {
      ConditionCheck: {
        TableName: tableName,
        Key: counterKey(c),
        ConditionExpression: 'attribute_not_exists(#n) OR #n < :limit',
        ExpressionAttributeNames: { '#n': 'n' },
        ExpressionAttributeValues: { ':limit': c.limit },
      },
    };
  }
  const add = increment(tableName, c);
  return {
    Update: {
      ...add,
      ConditionExpression: 'attribute_not_exists(#n) OR #n < :limit',
      ExpressionAttributeValues: { ...add.ExpressionAttributeValues, ':limit': c.limit },
    },
  };
}

/** +1 in a window's counter, which expires with its window (plus a margin for clock skew). */
function increment(tableName: string, c: LimitCounter) {
  return {
    TableName: tableName,
    Key: counterKey(c),
    UpdateExpression: 'ADD #n :one SET #ttl = if_not_exists(#ttl, :ttl)',
    ExpressionAttributeNames: { '#n': 'n', '#ttl': 'ttl' },
    ExpressionAttributeValues: { ':one': 1, ':ttl': Math.ceil(c.windowEndsAt / 1000) + 300 } as Record<string, unknown>,
  };
}

/** A guarded item's condition failed; `item` is that item as it was (when the item asked for it). */
export class ConditionFailed extends Error {
  /** `index`: the failed item's place among the guarded items (counters not counted). */
  constructor(readonly item: Record<string, unknown> | undefined, readonly index = -1) {
    super('Condition failed');
    this.name = 'ConditionFailed';
  }
}

/** A count-only counter with `reachAt` would have reached it: nothing was written. */
export class CounterReached extends Error {
  constructor(readonly counter: LimitCounter) {
    super('Counter reached');
    this.name = 'CounterReached';
  }
}

/**
 * Writes the counters and the guarded items in one transaction. A full window becomes
 * `RateLimited` (nothing written); a failed condition on a guarded item becomes `ConditionFailed`
 * with the item's current state; conflicts with concurrent transactions are retried.
 */
export async function transactWithLimits(
  doc: DynamoDBDocumentClient,
  tableName: string,
  initialCounters: LimitCounter[],
  guarded: Guarded[],
  nowMs: number,
): Promise<void> {
  let counters = initialCounters;
  const others = guarded.map(({ onConditionFailed: _drop, ...item }) => item);
  // Shards of each window this request found full: it moves on to one it has not tried.
  const fullShards = new Map<string, Set<number>>();
  for (let attempt = 0; ; attempt++) {
    try {
      await doc.send(new TransactWriteCommand({ TransactItems: [...counters.map((c) => counterUpdate(tableName, c)), ...others] }));
      return;
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const reasons = error.CancellationReasons ?? [];
      const full = reasons.findIndex((r, i) => i < counters.length && r.Code === 'ConditionalCheckFailed');
      if (full >= 0) {
        const c = counters[full]!;
        if (c.countOnly) throw new CounterReached(c);
        // One shard of a shared window is full: the window may still have room on another.
        if (c.shard) {
          const tried = fullShards.get(c.shard.windowKey) ?? new Set<number>();
          tried.add(c.shard.index);
          fullShards.set(c.shard.windowKey, tried);
          const untried = Array.from({ length: c.shard.of }, (_, s) => s).filter((s) => !tried.has(s));
          if (tried.size <= SHARD_RETRIES && untried.length) {
            counters = counters.map((x, i) => (i === full ? onShard(c, untried[randomInt(untried.length)]!) : x));
            continue;
          }
        }
        throw new RateLimited((c.windowEndsAt - nowMs) / 1000, c.name);
      }
      const failed = reasons.findIndex((r) => r.Code === 'ConditionalCheckFailed');
      if (failed >= 0) {
        const old = reasons[failed]?.Item;
        const item = old ? unmarshall(old) : undefined;
        throw guarded[failed - counters.length]?.onConditionFailed?.(item) ?? new ConditionFailed(item, failed - counters.length);
      }
      const conflict = reasons.some((r) => r.Code === 'TransactionConflict');
      if (!conflict) throw error;
      // A burst on one counter (one client, one IP) makes transactions collide. Retry with jitter;
      // if it persists, shed the load with a 429 rather than fail with a 500.
      if (attempt >= 7) throw new RateLimited(1, 'contention');
      await new Promise((r) => setTimeout(r, 10 + Math.random() * 25 * 2 ** Math.min(attempt, 4)));
    }
  }
}


/** A country paused by ops (by hand): SMS to it is refused until they lift it (or it lapses). */
export const brakeKey = (country: string) => ({ pk: `BRAKE#COUNTRY#${country}`, sk: 'BRAKE' });
export function brakeGuard(tableName: string, country: string, nowMs: number): Guarded {
  return {
    ConditionCheck: {
      TableName: tableName,
      Key: brakeKey(country),
      ConditionExpression: 'attribute_not_exists(#until) OR #until < :now',
      ExpressionAttributeNames: { '#until': 'pausedUntil' },
      ExpressionAttributeValues: { ':now': nowMs },
    },
    onConditionFailed: () => new DestinationNotAllowed('country_paused'),
  };
}
