import { describe, expect, it } from 'vitest';
import { RateLimited } from '#shared/errors';
import { withinRange } from '#shared/fraud/range-guard';
import { admits, RANGE_RULES, rangeCheck, rangeOf, RangeRefused, SCORE } from '#shared/fraud/ranges';
import { parsePhone } from '#shared/phone/phone';
import { MemoryFraudStore } from '../support/fake-otp-deps.ts';

/** The range-conversion rule, its windows and its exceptions, as pure logic and with a fake store. */
const phone = (n: string) => parsePhone(n)!;

/** A window after `sent` sends and approvals: `credited` from numbers new to the service, `trusted` from numbers that verified before (no credit). */
const counts = (sent: number, credited = 0, trusted = 0) => ({
  sent, open: sent - credited - trusted, score: sent * SCORE.send + (credited + trusted) * SCORE.approval + credited * SCORE.credit(),
});

describe('the range rule', () => {
  it('admits any window below the minimum volume, then only while the score stays within the slack and fewer than 16 codes are unverified', () => {
    expect(admits(undefined)).toBe(true);
    expect(admits(counts(9))).toBe(true); // below minSent
    expect(admits(counts(10))).toBe(true); // score 10 = slack
    expect(admits(counts(11))).toBe(false); // pumping stops at 11 codes
    expect(admits(counts(11, 1))).toBe(true); // one new number verifying buys 5 on the score
    expect(admits(counts(11, 0, 1))).toBe(true); // a trusted one pays for its own code: score 10
    expect(admits(counts(12, 0, 1))).toBe(false); // ... and no more
    expect(admits(counts(15))).toBe(false); // score 15: conversion too low
    expect(admits(counts(20, 5))).toBe(true); // 25% converted, 15 unverified
    expect(admits(counts(21, 5))).toBe(false); // 16 unverified: the cap, whatever the score
    expect(admits(counts(1000, 900))).toBe(false); // 100 codes nobody verified in 15 minutes in one range
    expect(admits(counts(60, 45))).toBe(true); // honest traffic converts around 80%: 15 open
    expect(admits(counts(60, 5, 40))).toBe(true); // regulars and a few new people: 15 open, score 0
  });

  it('new people converting at 1/weight keep the score at 0, as the rule was before credits were kept apart', () => {
    for (const n of [5, 50, 500]) expect(counts(n * RANGE_RULES.weight, n).score).toBe(0);
  });

  it('never lets a window hold maxUnverified codes nobody verified, whatever share of its codes an attacker verifies with new numbers', () => {
    for (const every of [1, 2, 3, 5, 10, 1000]) {
      let sent = 0;
      let verified = 0;
      for (let i = 0; i < 1000 && admits(counts(sent, verified)); i++) {
        sent++;
        // The attacker reads and verifies one code in `every` (every = 1: all of them), each from a new number: each earns the credit.
        if (sent % every === 0) verified++;
      }
      if (every > 1) expect(sent - verified, `1 in ${every}`).toBeLessThanOrEqual(RANGE_RULES.maxUnverified);
      // Verifying 1 in 5 (the rule's 20% conversion threshold exactly) buys at most 20 codes.
      if (every === 5) expect(sent).toBeLessThanOrEqual(20);
    }
  });

  it('gives an attack no cover from trusted people verifying in its range: it gets what it would alone', () => {
    const alone = (() => {
      let sent = 0;
      while (admits(counts(sent))) sent++;
      return sent;
    })();
    // Eight regulars ask for and verify a code each while the bots pump: they pay for their own codes only.
    let bots = 0;
    while (admits(counts(bots + 8, 0, 8))) bots++;
    expect(bots).toBe(alone);
    expect(alone).toBe(Math.max(RANGE_RULES.minSent, RANGE_RULES.slack + 1));
  });

  it('lets a pumping run through at most max(minSent, slack + 1) codes per range and window, fewer than 20', () => {
    let sent = 0;
    for (let i = 0; i < 100 && admits(counts(sent)); i++) sent++;
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

  it('sends to a trusted number anyway, written again with its range counted but unchecked', async () => {
    const fraud = new MemoryFraudStore();
    fraud.trusted.add('idx');
    const w = who(fraud);
    const calls: unknown[] = [];
    const out = await withinRange(w.deps, w, async (r, trusted) => {
      calls.push(r, trusted);
      if (!r.trusted) throw new RangeRefused('blocked');
      return 'sent';
    });
    expect(out).toBe('sent');
    expect(calls).toEqual([w.range, false, { ...w.range, trusted: true }, true]);
  });
});
