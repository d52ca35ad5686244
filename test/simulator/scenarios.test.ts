import { describe, expect, inject, it } from 'vitest';
import { DEFAULT_LIMITS } from '#shared/ratelimit/limits';
import { formatReport, simulate, type Report } from '../../infra/simulator/simulate.ts';
import { freshWindow } from '../support/windows.ts';

/**
 * The simulator's scenarios as tests, against a local stack with the default limits. Each scenario
 * gets its own OAuth client and end-user addresses, and reports only the blocks it caused.
 */
const url = inject('apiUrl');
const dir = inject('localDir');
const fired = (r: Report) => r.decisions.filter((d) => d.fired).map((d) => d.id).sort();
const count = (r: Record<string, number>, ...keys: string[]) => keys.reduce((a, k) => a + (r[k] ?? 0), 0);

describe('traffic simulator', () => {
  it('normal traffic is never limited, refused or braked, and no alarm fires', async () => {
    const r = await simulate(url, 'normal', dir, 0);
    console.log(formatReport(r));
    expect(Object.keys(r.statuses).sort()).toEqual(['200', '201', '422']);
    expect(r.limited).toEqual({});
    expect(fired(r)).toEqual([]);
    expect(r.blocks).toEqual([]);
  });

  it('brute force locks the numbers under attack and fires the brute-force alarms', async () => {
    await freshWindow(DEFAULT_LIMITS.failedVerifyShort.windowSeconds, 30);
    const r = await simulate(url, 'bruteforce', dir, 1);
    console.log(formatReport(r));
    expect(r.limited.failedVerifyShort).toBeGreaterThanOrEqual(3);
    // Each number gave at most its failed-verification window (10) before new codes stopped.
    expect(count(r.statuses, '422', '410')).toBeLessThanOrEqual(3 * DEFAULT_LIMITS.failedVerifyShort.limit);
    expect(fired(r)).toEqual(['BruteForceFailedVerifies', 'NumbersLocked']);
    expect(count(r.statuses, '500', '502', '503')).toBe(0);
  });

  it('pumping one range is stopped inline within 20 codes by the range rule; only that range is blocked, no country', async () => {
    const r = await simulate(url, 'pumping', dir, 0);
    console.log(formatReport(r));
    // 100 bot requests from 100 addresses + 10 people in France.
    const botCodes = (r.statuses['201'] ?? 0) - 10;
    expect(botCodes).toBeLessThanOrEqual(20);
    expect(r.refused['destination_not_allowed:prefix_blocked']).toBe(100 - botCodes);
    expect(r.blocks).toEqual([expect.objectContaining({ kind: 'prefix', key: '4474009', reason: 'low_conversion' })]);
    expect(count(r.statuses, '500', '502', '503')).toBe(0);
  });

  it('a burst gets 429s, never 5xx', async () => {
    await freshWindow(DEFAULT_LIMITS.ip.windowSeconds, 40);
    const r = await simulate(url, 'burst', dir, 1);
    console.log(formatReport(r));
    expect(r.statuses['429']).toBeGreaterThan(0);
    expect(Object.keys(r.statuses).every((s) => s === '201' || s === '429')).toBe(true);
    expect(r.statuses['201']).toBeLessThanOrEqual(DEFAULT_LIMITS.ip.limit);
    expect(fired(r)).toContain('RateLimitedSpike');
    // A one-address burst is its own limit's business: it blocks no range and no country.
    expect(r.blocks).toEqual([]);
  });

  it('mixed: a botnet on three ranges, a burst and honest people at once; each range loses at most 20 codes and no honest person is refused', async () => {
    await freshWindow(DEFAULT_LIMITS.ip.windowSeconds, 40);
    const r = await simulate(url, 'mixed', dir, 1);
    console.log(formatReport(r));
    const g = r.groups!;
    for (const range of ['4474008', '1212555', '4917612']) {
      expect(g[`bots ${range}`]!.sent, range).toBeLessThanOrEqual(20);
      expect(Object.keys(g[`bots ${range}`]!.refused)).toEqual(['403:prefix_blocked']);
    }
    expect(g.honest!.refused).toEqual({});
    expect(g.honest!.sent).toBe(g.honest!.requests);
    expect(g.trustedInAttackedRanges!.refused).toEqual({});
    expect(g.trustedInAttackedRanges!.sent).toBe(6);
    // The burst met its end user's limit, and nothing else.
    expect(Object.keys(g.burst!.refused)).toEqual(['429:ip']);
    expect(r.blocks.filter((b) => b.kind === 'country')).toEqual([]);
    expect(r.blocks.map((b) => b.key).sort()).toEqual(['1212555', '4474008', '4917612']);
    expect(count(r.statuses, '500', '502', '503')).toBe(0);
    // After the burst, people in its country still get codes.
    const after = await simulate(url, 'normal', dir, 0);
    expect(after.statuses['201']).toBe(40);
  });

  it('cover: pumping behind honest approvals gets at most 20 codes per range even verifying 1 in 5; the trusted and new people are never refused; no country is blocked', async () => {
    await freshWindow(DEFAULT_LIMITS.ip.windowSeconds, 40);
    const r = await simulate(url, 'cover', dir, 0);
    console.log(formatReport(r));
    const g = r.groups!;
    for (const range of ['4474006', '1212556', '4917613']) {
      expect(g[`bots ${range}`]!.sent, range).toBeLessThanOrEqual(20);
      expect(g[`bots ${range}`]!.sent, range).toBeGreaterThan(0);
    }
    expect(g.trusted!.refused).toEqual({});
    expect(g.trusted!.sent).toBe(32);
    expect(g.honest!.refused).toEqual({});
    expect(g.honest!.sent).toBe(40);
    expect(r.blocks.filter((b) => b.kind === 'country')).toEqual([]);
    // Every attacked range ends blocked: by its unverified codes where the bots' own approvals (new
    // numbers: credited) kept the score low, by its conversion where they came too late to count.
    // The trusted people's approvals earn nothing, so they never decide which.
    expect(r.blocks.map((b) => b.key).sort()).toEqual(['1212556', '4474006', '4917613']);
    for (const b of r.blocks) expect(['unverified', 'low_conversion']).toContain(b.reason);
    expect(count(r.statuses, '500', '502', '503')).toBe(0);
  });
});
