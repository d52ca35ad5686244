import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '#shared/ratelimit/limits';
import { inBatches } from '../../infra/simulator/simulate.ts';
import { randomUkMobile } from '../support/phones.ts';
import { freshWindow } from '../support/windows.ts';
import { call, clients, outbox, tokenFor } from './client.ts';

/**
 * Production traffic: every request comes from the app's one backend address (here 127.0.0.1), and
 * the app says in `signals` who each request is for. Per-IP and per-user limits count the signals.
 */
let a: string;
beforeAll(async () => {
  a = await tokenFor(clients[0]!);
});

describe('end-user signals', () => {
  it('250 different people behind one backend address are not limited per IP', async () => {
    const statuses: Record<number, number> = {};
    const people = Array.from({ length: 250 }, (_, i) => ({ to: randomUkMobile(), ip: `198.51.${100 + (i >> 8)}.${i % 256}`, userId: `person-${i}` }));
    await inBatches(people, 25, async (p) => {
      const r = await call('POST', '/v1/otp', { token: a, body: { to: p.to, signals: { ip: p.ip, userId: p.userId } } });
      statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    });
    expect(statuses).toEqual({ 201: 250 });
  });

  it('one end-user address asking for 200 codes a minute is limited to its window, with 429 and Retry-After', async () => {
    await freshWindow(DEFAULT_LIMITS.ip.windowSeconds, 20);
    const answers: { status: number; limit?: string; retryAfter: string | null }[] = [];
    const numbers = Array.from({ length: 200 }, () => randomUkMobile());
    await inBatches(numbers, 20, async (to) => {
      const r = await call('POST', '/v1/otp', { token: a, body: { to, signals: { ip: '203.0.113.99' } } });
      answers.push({ status: r.status, limit: r.body.limit as string | undefined, retryAfter: r.headers.get('retry-after') });
    });
    const ok = answers.filter((x) => x.status === 201).length;
    expect(ok).toBe(DEFAULT_LIMITS.ip.limit);
    const limited = answers.filter((x) => x.status === 429);
    expect(limited).toHaveLength(200 - DEFAULT_LIMITS.ip.limit);
    expect(limited.every((x) => x.limit === 'ip' && Number(x.retryAfter) > 0)).toBe(true);
    // An IPv6 user rotating through their own /64 is one user.
    await freshWindow(DEFAULT_LIMITS.ip.windowSeconds, 10);
    const v6 = await Promise.all(Array.from({ length: DEFAULT_LIMITS.ip.limit + 5 }, (_, i) =>
      call('POST', '/v1/otp', { token: a, body: { to: randomUkMobile(), signals: { ip: `2001:db8:1:2::${(i + 1).toString(16)}` } } })));
    expect(v6.filter((r) => r.status === 429).length).toBeGreaterThanOrEqual(5);
  });

  it('one user id asking again and again is limited per user, whatever address it comes from', async () => {
    await freshWindow(DEFAULT_LIMITS.user.windowSeconds, 10);
    const results: number[] = [];
    for (let i = 0; i < DEFAULT_LIMITS.user.limit + 3; i++) {
      results.push((await call('POST', '/v1/otp', { token: a, body: { to: randomUkMobile(), signals: { ip: `192.0.2.${i + 1}`, userId: 'u_hammer' } } })).status);
    }
    expect(results.filter((s) => s === 201)).toHaveLength(DEFAULT_LIMITS.user.limit);
    expect(results.slice(-3)).toEqual([429, 429, 429]);
  });

  it('answers bad signals with 400 naming the field, and writes and sends nothing', async () => {
    for (const signals of [{ ip: '999.1.1.1' }, { ip: 'localhost' }, { userId: 'x'.repeat(129) }, { deviceId: '' }, { ip: '1.2.3.4', extra: 1 }]) {
      const to = randomUkMobile();
      const r = await call('POST', '/v1/otp', { token: a, body: { to, signals } });
      expect(r.status, JSON.stringify(signals)).toBe(400);
      expect(r.body.code).toBe('validation_failed');
      expect(JSON.stringify(r.body.errors)).toContain('signals');
      expect(r.text).not.toContain(signals.ip ?? '\u0000');
      expect(await outbox(to)).toEqual([]);
      const m = await call('POST', '/v1/messages', { token: a, body: { to, body: 'Hi', signals } });
      expect(m.status).toBe(400);
      expect(await outbox(to)).toEqual([]);
      const audit = await call('GET', `/v1/audit?to=${encodeURIComponent(to)}`, { token: a });
      expect(audit.body.events).toEqual([]);
    }
  });
});
