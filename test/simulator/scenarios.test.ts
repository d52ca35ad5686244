import { afterEach, describe, expect, inject, it } from 'vitest';
import { DEFAULT_LIMITS } from '#shared/ratelimit/limits';
import { formatReport, simulate, type Report } from '../../infra/simulator/simulate.ts';

/**
 * The simulator's scenarios as tests, against a local stack with the default limits. Each scenario
 * gets its own OAuth client and source IP, and brakes are lifted between scenarios.
 */
const url = inject('apiUrl');
const dir = inject('localDir');
const fired = (r: Report) => r.decisions.filter((d) => d.fired).map((d) => d.id).sort();
const count = (r: Record<string, number>, ...keys: string[]) => keys.reduce((a, k) => a + (r[k] ?? 0), 0);

/**
 * Limits use fixed windows aligned to the clock; a run straddling a boundary would see two windows.
 * Wait, when needed, until the current window has room for the whole run.
 */
async function freshWindow(windowSeconds: number, runSeconds: number) {
  const left = windowSeconds - ((Date.now() / 1000) % windowSeconds);
  if (left < runSeconds) await new Promise((r) => setTimeout(r, left * 1000 + 200));
}

afterEach(async () => {
  for (const country of ['GB', 'US', 'DE', 'FR', 'NL']) {
    await fetch(`${url}/_local/brake`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ action: 'lift', country }) });
  }
});

describe('traffic simulator', () => {
  it('normal traffic is never limited, refused or braked, and no alarm fires', async () => {
    const r = await simulate(url, 'normal', dir, 0);
    console.log(formatReport(r));
    expect(Object.keys(r.statuses).sort()).toEqual(['200', '201', '422']);
    expect(r.limited).toEqual({});
    expect(fired(r)).toEqual([]);
    expect(r.paused).toEqual([]);
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

  it('pumping trips the prefix limit within its volume, fires the conversion alarm and brakes only the pumped country', async () => {
    await freshWindow(DEFAULT_LIMITS.prefix.windowSeconds, 30);
    const r = await simulate(url, 'pumping', dir, 0);
    console.log(formatReport(r));
    // 100 bot requests + 10 people: at most the prefix limit of bot codes went out.
    expect(r.limited.prefix).toBe(100 - DEFAULT_LIMITS.prefix.limit);
    expect(fired(r)).toContain('SmsPumpingConversion');
    expect(r.paused).toEqual(['GB']);
    expect(r.afterBrake).toEqual({ 403: 5 });
  });

  it('a burst gets 429s, never 5xx', async () => {
    await freshWindow(DEFAULT_LIMITS.ip.windowSeconds, 40);
    const r = await simulate(url, 'burst', dir, 1);
    console.log(formatReport(r));
    expect(r.statuses['429']).toBeGreaterThan(0);
    expect(Object.keys(r.statuses).every((s) => s === '201' || s === '429')).toBe(true);
    expect(r.statuses['201']).toBeLessThanOrEqual(DEFAULT_LIMITS.ip.limit);
    expect(fired(r)).toContain('RateLimitedSpike');
  });
});
