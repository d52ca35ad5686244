import { RangeRefused, SCORE, type RangeCheck, type RangeRules } from '../../fraud/ranges.ts';
import type { Guarded, TransactItem } from './rate-limit-ops.ts';

/**
 * The range rule (fraud/ranges.ts) as items of the send's own transaction: the range must not be
 * blocked, and its window must admit one more send; both refuse before anything is written.
 */
export const rangeBlockKey = (tag: string) => ({ pk: `BLOCK#prefix#${tag}`, sk: 'BLOCK' });
export const rangeWindowKey = (tag: string, windowStart: number) => ({ pk: `RANGE#${tag}#${windowStart}`, sk: 'RANGE' });
export const rangeWindowTtl = (windowEndsAt: number) => Math.ceil(windowEndsAt / 1000) + 3_600;

export function rangeGuards(tableName: string, r: RangeCheck, nowMs: number): Guarded[] {
  const count = {
    TableName: tableName,
    Key: rangeWindowKey(r.tag, r.windowStart),
    UpdateExpression: 'ADD #sent :one, #score :send, #open :one SET #ttl = if_not_exists(#ttl, :ttl)',
    ExpressionAttributeNames: { '#sent': 'sent', '#score': 'score', '#open': 'open', '#ttl': 'ttl' },
    ExpressionAttributeValues: { ':one': 1, ':send': SCORE.send, ':ttl': rangeWindowTtl(r.windowEndsAt) },
  };
  // A trusted number's send counts, unchecked (fraud/range-guard.ts).
  if (r.trusted) return [{ Update: count }];
  return [
    {
      ConditionCheck: {
        TableName: tableName,
        Key: rangeBlockKey(r.tag),
        ConditionExpression: 'attribute_not_exists(#until) OR #until < :now',
        ExpressionAttributeNames: { '#until': 'until' },
        ExpressionAttributeValues: { ':now': nowMs },
      },
      onConditionFailed: () => new RangeRefused('blocked'),
    },
    {
      Update: {
        ...count,
        ConditionExpression: '(attribute_not_exists(#open) OR #open < :maxOpen) AND (attribute_not_exists(#sent) OR #sent < :min OR #score <= :slack)',
        ExpressionAttributeValues: { ...count.ExpressionAttributeValues, ':min': r.rules.minSent, ':slack': r.rules.slack, ':maxOpen': r.rules.maxUnverified },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
      onConditionFailed: (old) => new RangeRefused(
        Number(old?.open ?? 0) >= r.rules.maxUnverified ? 'unverified' : 'low_conversion',
        { sent: Number(old?.sent ?? 0), approved: Number(old?.approved ?? 0) },
      ),
    },
  ];
}

/**
 * An approved code counts back into its range's window (one more item of the approve transaction):
 * it pays for its own code, in `open` and in the score. Whether it earns a credit beyond that (a
 * number not trusted before) is decided off the request path (fraud/range-credit.ts): the approval
 * reads nothing.
 */
export function rangeApproval(tableName: string, a: { tag: string; windowStart: number; windowEndsAt: number; rules: RangeRules }): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: rangeWindowKey(a.tag, a.windowStart),
      UpdateExpression: 'ADD #approved :one, #score :minus, #open :minusOne SET #ttl = if_not_exists(#ttl, :ttl)',
      ExpressionAttributeNames: { '#approved': 'approved', '#score': 'score', '#open': 'open', '#ttl': 'ttl' },
      ExpressionAttributeValues: { ':one': 1, ':minus': SCORE.approval, ':minusOne': -1, ':ttl': rangeWindowTtl(a.windowEndsAt) },
    },
  };
}
