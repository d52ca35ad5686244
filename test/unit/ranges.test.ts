import { describe, expect, it } from 'vitest';
import { withinRange } from '#shared/fraud/range-guard';
import { admits, RANGE_RULES, rangeCheck, rangeOf, RangeRefused } from '#shared/fraud/ranges';
import { parsePhone } from '#shared/phone/phone';
import { MemoryFraudStore } from '../support/fake-otp-deps.ts';

/** The range-conversion rule, its windows and its exceptions, as pure logic and with a fake store. */
const phone = (n: string) => parsePhone(n)!;

describe('the range rule', () => {
  it('admits any window below the minimum volume, then only while sent − 5 × approved stays within the slack', () => {
    expect(admits(undefined)).toBe(true);
    expect(admits({ sent: 9, approved: 0 })).toBe(true); // below minSent
    expect(admits({ sent: 10, approved: 0 })).toBe(true); // score 10 = slack
    expect(admits({ sent: 11, approved: 0 })).toBe(false); // pumping stops at 11 codes
    expect(admits({ sent: 11, approved: 1 })).toBe(true); // one approval buys 5
    expect(admits({ sent: 100, approved: 18 })).toBe(true); // 18% conversion with the slack: 100 − 90 = 10
    expect(admits({ sent: 100, approved: 17 })).toBe(false); // 17%: blocked
    expect(admits({ sent: 1000, approved: 800 })).toBe(true); // honest traffic converts around 80%
  });

  it('lets a pumping run through at most max(minSent, slack + 1) codes per range and window, fewer than 20', () => {
    let window = { sent: 0, approved: 0 };
    let sent = 0;
    for (let i = 0; i < 100; i++) {
      if (!admits(window)) break;
      window = { ...window, sent: window.sent + 1 };
      sent++;
    }
    expect(sent).toBe(Math.max(RANGE_RULES.minSent, RANGE_RULES.slack + 1));
    expect(sent).toBeLessThanOrEqual(20);
  });

  it('names a range by the calling code and leading national digits, by country, never a whole number', () => {
    expect(rangeOf(phone('+447400900123'))).toBe('4474009');
    expect(rangeOf(phone('+14155550123'))).toBe('1415555');
    expect(rangeOf(phone('+4915112345678'))).toBe('4915112');
    for (const n of ['+447400900123', '+14155550123', '+4915112345678', '+33612345678', '+31612345678']) {
      const p = phone(n);
      expect(n.slice(1).length - rangeOf(p).length, n).toBeGreaterThanOrEqual(3);
    }
  });

  it('windows: a range has one window per 15 minutes, keyed by a tag that is not the digits', () => {
    const key = Buffer.alloc(32, 1);
    const a = rangeCheck(key, phone('+447400900123'), Date.parse('2026-11-22T10:14:59Z'));
    const b = rangeCheck(key, phone('+447400900999'), Date.parse('2026-11-22T10:15:00Z'));
    expect(a.tag).toBe(b.tag);
    expect(a.tag).toMatch(/^[A-Za-z0-9_-]{8}$/);
    expect(a.tag).not.toContain('4474009');
    expect(b.windowStart - a.windowStart).toBe(900_000);
    expect(rangeCheck(key, phone('+447400800123'), 0).tag).not.toBe(a.tag);
  });
});

describe('withinRange', () => {
  const key = Buffer.alloc(32, 2);
  const who = (fraud: MemoryFraudStore) => ({ deps: { fraud, keys: { codeHashKey: key, blindIndexKey: key } }, range: rangeCheck(key, phone('+447400900123'), 0), phone: phone('+447400900123'), phoneIndex: 'idx', nowMs: 0 });

  it('refuses with prefix_blocked and blocks the range for an hour when its conversion is too low', async () => {
    const fraud = new MemoryFraudStore();
    const w = who(fraud);
    await expect(withinRange(w.deps, w, async () => { throw new RangeRefused('low_conversion', { sent: 11, approved: 0 }); }))
      .rejects.toMatchObject({ status: 403, code: 'destination_not_allowed', extra: { reason: 'prefix_blocked' } });
    expect(fraud.blocks).toEqual([{ kind: 'prefix', key: '4474009', reason: 'low_conversion', since: 0, until: RANGE_RULES.blockMinutes * 60_000, sent: 11, approved: 0 }]);
  });

  it('refuses during a block without blocking again', async () => {
    const fraud = new MemoryFraudStore();
    const w = who(fraud);
    await expect(withinRange(w.deps, w, async () => { throw new RangeRefused('blocked'); })).rejects.toMatchObject({ extra: { reason: 'prefix_blocked' } });
    expect(fraud.blocks).toEqual([]);
  });

  it('sends to a trusted number anyway, written again without the range', async () => {
    const fraud = new MemoryFraudStore();
    fraud.trusted.add('idx');
    const w = who(fraud);
    const calls: unknown[] = [];
    const out = await withinRange(w.deps, w, async (r) => {
      calls.push(r);
      if (r) throw new RangeRefused('blocked');
      return 'sent';
    });
    expect(out).toBe('sent');
    expect(calls).toEqual([w.range, undefined]);
  });
});
