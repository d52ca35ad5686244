import { describe, expect, it } from 'vitest';
import { SendMessageRequest } from '#shared/messages/schemas';
import { issueOtp } from '#shared/otp/issue';
import { IssueOtpRequest } from '#shared/otp/schemas';
import { endUserKeys, ipLimitKey } from '#shared/ratelimit/end-user';
import { counter, DEFAULT_LIMITS, onShard, shardsFor } from '#shared/ratelimit/limits';
import { fakeOtpDeps } from '../support/fake-otp-deps.ts';

/** End-user signals and the limits they feed: validation, what is stored, sharded windows. */
const to = '+447400123456';

describe('signals validation', () => {
  it('accepts IPv4, IPv6 and opaque ids of printable ASCII up to 128 characters', () => {
    for (const signals of [{ ip: '203.0.113.7' }, { ip: '2001:db8::1' }, { ip: '::ffff:198.51.100.4' }, { userId: 'u_42', deviceId: 'd'.repeat(128) }, {}]) {
      expect(IssueOtpRequest.safeParse({ to, signals }).success, JSON.stringify(signals)).toBe(true);
      expect(SendMessageRequest.safeParse({ to, body: 'Hello', signals }).success).toBe(true);
    }
  });

  it('refuses bad addresses, long or non-printable ids and unknown fields, naming the field', () => {
    const bad = [
      { ip: '256.1.1.1' }, { ip: '01.2.3.4' }, { ip: '1.2.3' }, { ip: 'example.com' }, { ip: '2001:db8::g' }, { ip: '1.2.3.4/24' }, { ip: '' },
      { ip: `${'1:'.repeat(30)}1` }, { userId: '' }, { userId: 'u'.repeat(129) }, { userId: 'naïve' }, { deviceId: 'a\u0000b' }, { deviceId: 'a\nb' },
      { ip: 7 }, { phone: to }, [],
    ];
    for (const signals of bad) {
      const parsed = IssueOtpRequest.safeParse({ to, signals });
      expect(parsed.success, JSON.stringify(signals)).toBe(false);
      expect(parsed.error!.issues[0]!.path[0]).toBe('signals');
    }
  });

  it('stores only keyed hashes, and counts an IPv6 address by its /64', () => {
    const key = Buffer.alloc(32, 7);
    expect(ipLimitKey('2001:db8:85a3:0000:0000:8a2e:370:7334')).toBe('2001:db8:85a3:0::/64');
    expect(ipLimitKey('2001:DB8:85A3::1')).toBe(ipLimitKey('2001:db8:85a3:0:ffff::2'));
    expect(ipLimitKey('::ffff:198.51.100.4')).toBe('198.51.100.4');
    expect(ipLimitKey('64:ff9b::192.0.2.1')).toBe('64:ff9b:0:0::/64');
    const keys = endUserKeys(key, { ip: '203.0.113.7', userId: 'u_42', deviceId: 'd_9f' });
    expect(Object.keys(keys).sort()).toEqual(['device', 'ip', 'user']);
    expect(JSON.stringify(keys)).not.toMatch(/203\.0|u_42|d_9f/);
    expect(endUserKeys(key, { ip: '203.0.113.7' }).ip).toBe(keys.ip);
  });

  it('issue keeps the hashes on the verification and counts the end user, not the caller', async () => {
    const { deps, store } = fakeOtpDeps();
    const { verificationId } = await issueOtp(deps, 'app-a', IssueOtpRequest.parse({ to, signals: { ip: '203.0.113.7', userId: 'u_42' } }));
    const v = (await store.get(verificationId))!;
    expect(v.endUser).toEqual(endUserKeys(deps.keys.blindIndexKey, { ip: '203.0.113.7', userId: 'u_42' }));
    expect(JSON.stringify(v)).not.toContain('203.0.113.7');
    const windows = [...store.counters.keys()].map((k) => k.split('#')[0]).sort();
    expect(windows).toEqual(['client', 'country', 'ip', 'phoneDaily', 'phoneShort', 'prefix', 'user']);
  });

  it('without signals no end-user window applies', async () => {
    const { deps, store } = fakeOtpDeps();
    await issueOtp(deps, 'app-a', IssueOtpRequest.parse({ to }));
    expect([...store.counters.keys()].some((k) => k.startsWith('ip#') || k.startsWith('user#'))).toBe(false);
  });
});

describe('sharded windows', () => {
  it('splits only large shared windows, one shard per 25 units, at most 64, whose shares add up to the limit exactly', () => {
    expect(shardsFor(20)).toBe(1);
    expect(shardsFor(DEFAULT_LIMITS.prefix.limit)).toBe(2);
    expect(shardsFor(DEFAULT_LIMITS.client.limit)).toBe(12);
    expect(shardsFor(DEFAULT_LIMITS.country.limit)).toBe(40);
    expect(shardsFor(1_000_000)).toBe(64);
    const now = Date.parse('2026-11-22T10:00:30Z');
    expect(counter(DEFAULT_LIMITS, 'phoneShort', 'idx', now).shard).toBeUndefined();
    expect(counter({ ...DEFAULT_LIMITS, prefix: { limit: 20, windowSeconds: 3600 } }, 'prefix', 'p', now).shard).toBeUndefined();
    const c = counter(DEFAULT_LIMITS, 'country', 'GB', now, () => 0.99);
    expect(c).toMatchObject({ limit: 25, shard: { index: 39, of: 40, windowLimit: 1000 } });
    expect(c.key).toBe(`${c.shard!.windowKey}#s39`);
    const all = Array.from({ length: 40 }, (_, i) => onShard(c, i));
    expect(new Set(all.map((x) => x.key)).size).toBe(40);
    expect(all.reduce((a, x) => a + x.limit, 0)).toBe(1000);
    // A limit the shards do not divide: the first `limit mod shards` take one more, the sum is the limit.
    for (const limit of [310, 333, 1_001, 15_700, 999_999]) {
      const w = counter({ ...DEFAULT_LIMITS, client: { limit, windowSeconds: 60 } }, 'client', 'app', now);
      const shares = Array.from({ length: w.shard!.of }, (_, i) => onShard(w, i).limit);
      expect(shares.reduce((a, b) => a + b, 0), String(limit)).toBe(limit);
      expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(1);
    }
  });
});
