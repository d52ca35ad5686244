import { describe, expect, it } from 'vitest';
import { RateLimited } from '#shared/errors';
import { counter, DEFAULT_LIMITS, type LimitRules } from '#shared/ratelimit/limits';
import { transactWithLimits } from '#shared/adapters/store/rate-limit-ops';
import { dynamoOtpDeps, freshTables } from './deps.ts';

/**
 * Sharded windows on DynamoDB Local under 64-way concurrency: the window never admits more than its
 * limit, refuses little before it (docs/limits.md states the bound), and no single item takes
 * every write.
 */
async function fire(total: number, limit: number) {
  const tables = await freshTables('shard');
  const { doc } = dynamoOtpDeps(tables);
  const rules: LimitRules = { ...DEFAULT_LIMITS, client: { limit, windowSeconds: 3600 } };
  const now = Date.now();
  let admitted = 0;
  let refused = 0;
  const perShard = new Map<string, number>();
  let next = 0;
  await Promise.all(Array.from({ length: 64 }, async () => {
    while (next < total) {
      const i = next++;
      const c = counter(rules, 'client', 'app-load', now);
      try {
        await transactWithLimits(doc, tables.Data, [c], [{ Put: { TableName: tables.Data, Item: { pk: `REQ#${i}`, sk: 'REQ' } } }], now);
        admitted++;
      } catch (error) {
        if (!(error instanceof RateLimited)) throw error;
        refused++;
      }
    }
  }));
  const shards = counter(rules, 'client', 'app-load', now).shard!;
  for (let s = 0; s < shards.of; s++) {
    const key = `${shards.windowKey}#s${s}`;
    const item = await doc.send(new (await import('@aws-sdk/lib-dynamodb')).GetCommand({ TableName: tables.Data, Key: { pk: `RL#${key}`, sk: 'RL' } }));
    if (item.Item) perShard.set(key, Number(item.Item.n));
  }
  return { admitted, refused, perShard };
}

describe('sharded rate-limit windows (DynamoDB Local)', () => {
  it('400 a window (16 shards of 25), 600 requests from 64 at once: never more than the limit, at least 95% of it', async () => {
    const { admitted, refused, perShard } = await fire(600, 400);
    console.log(`sharded window 400: admitted ${admitted}, refused ${refused}, per shard ${[...perShard.values()].join(' ')}`);
    expect(admitted + refused).toBe(600);
    expect(admitted).toBeLessThanOrEqual(400);
    expect(admitted).toBeGreaterThanOrEqual(380);
    expect(perShard.size).toBe(16);
    // No item took every write: the busiest shard holds its share.
    expect(Math.max(...perShard.values())).toBeLessThanOrEqual(25);
  });

  it('below the limit nothing is refused, however the requests fall on the shards', async () => {
    const { admitted, refused } = await fire(280, 400);
    expect({ admitted, refused }).toEqual({ admitted: 280, refused: 0 });
  });
});
