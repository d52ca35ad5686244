import { describe, expect, it } from 'vitest';
import { RateLimited } from '#shared/errors';
import { withinRange } from '#shared/fraud/range-guard';
import { admits, RANGE_RULES, rangeCheck, rangeOf, RangeRefused } from '#shared/fraud/ranges';
import { parsePhone } from '#shared/phone/phone';
import { MemoryFraudStore } from '../support/fake-otp-deps.ts';

/** The range-conversion rule, its windows and its exceptions, as pure logic and with a fake store. */
const phone = (n: string) => parsePhone(n)!;

describe('the range rule', () => {
  it('admits any window below the minimum volume, then only while sent − 5 × approved stays within the slack and fewer than 16 codes are unverified', () => {
    expect(admits(undefined)).toBe(true);
    expect(admits({ sent: 9, approved: 0 })).toBe(true); // below minSent
    expect(admits({ sent: 10, approved: 0 })).toBe(true); // score 10 = slack
    expect(admits({ sent: 11, approved: 0 })).toBe(false); // pumping stops at 11 codes
    expect(admits({ sent: 11, approved: 1 })).toBe(true); // one approval buys 5 on the score
    expect(admits({ sent: 15, approved: 0 })).toBe(false); // score 15: conversion too low
    expect(admits({ sent: 20, approved: 5 })).toBe(true); // 25% converted, 15 unverified
    expect(admits({ sent: 21, approved: 5 })).toBe(false); // 16 unverified: the cap, whatever the score
    expect(admits({ sent: 1000, approved: 900 })).toBe(false); // 100 codes nobody verified in 15 minutes in one range
    expect(admits({ sent: 60, approved: 45 })).toBe(true); // honest traffic converts around 80%: 15 open
  });

  it('never lets a window hold maxUnverified codes nobody verified, whatever share of its codes an attacker verifies', () => {
    for (const every of [1, 2, 3, 5, 10, 1000]) {
      let window = { sent: 0, approved: 0 };
      for (let i = 0; i < 1000 && admits(window); i++) {
        window = { ...window, sent: window.sent + 1 };
        // The attacker reads and verifies one code in `every` (every = 1: all of them).
        if (window.sent % every === 0) window = { ...window, approved: window.approved + 1 };
      }
      const unverified = window.sent - window.approved;
      if (every > 1) expect(unverified, `1 in ${every}`).toBeLessThanOrEqual(RANGE_RULES.maxUnverified);
      // Verifying 1 in 5 (the rule's 20% conversion threshold exactly) buys at most 20 codes.
      if (every === 5) expect(window.sent).toBeLessThanOrEqual(20);
    }
    // Eight honest approvals buy nothing beyond their own codes: 16 open codes refuse the 17th.
    expect(admits({ sent: 8 + 16, approved: 8 })).toBe(false);
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

  it('blocks the range, saying why, when too many of its codes went unverified', async () => {
    const fraud = new MemoryFraudStore();
    const w = who(fraud);
    await expect(withinRange(w.deps, w, async () => { throw new RangeRefused('unverified', { sent: 20, approved: 4 }); })).rejects.toMatchObject({ extra: { reason: 'prefix_blocked' } });
    expect(fraud.blocks).toEqual([expect.objectContaining({ key: '4474009', reason: 'unverified', sent: 20, approved: 4 })]);
  });

  it('a trusted number is refused by nothing an attack on its range fills: the prefix window is skipped for it, other windows are not', async () => {
    const fraud = new MemoryFraudStore();
    const w = who(fraud);
    const prefixFull = async (_r: unknown, trusted: boolean) => {
      if (!trusted) throw new RateLimited(60, 'prefix');
      return 'sent';
    };
    await expect(withinRange(w.deps, w, prefixFull)).rejects.toMatchObject({ status: 429, extra: { limit: 'prefix' } });
    fraud.trusted.add('idx');
    await expect(withinRange(w.deps, w, prefixFull)).resolves.toBe('sent');
    await expect(withinRange(w.deps, w, async () => { throw new RateLimited(60, 'phoneShort'); })).rejects.toMatchObject({ extra: { limit: 'phoneShort' } });
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
    const out = await withinRange(w.deps, w, async (r, trusted) => {
      calls.push(r, trusted);
      if (r) throw new RangeRefused('blocked');
      return 'sent';
    });
    expect(out).toBe('sent');
    expect(calls).toEqual([w.range, false, undefined, true]);
  });
});
