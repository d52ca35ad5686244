import { beforeAll, describe, expect, it } from 'vitest';
import { randomUkMobile } from '../support/phones.ts';
import { call, clients, lastCode, outbox, tokenFor } from './client.ts';

/** Races over HTTP, as clients cause them: exactly one winner where there must be one. */
let a: string;
beforeAll(async () => {
  a = await tokenFor(clients[0]!);
});
const all = <T>(n: number, f: (i: number) => Promise<T>) => Promise.all(Array.from({ length: n }, (_, i) => f(i)));

describe('races over HTTP', () => {
  it('50 concurrent right codes: one 200, the rest 410 already_approved', async () => {
    const to = randomUkMobile();
    const id = (await call('POST', '/v1/otp', { token: a, body: { to } })).body.verificationId as string;
    const code = await lastCode(to);
    const answers = await all(50, () => call('POST', `/v1/otp/${id}/verify`, { token: a, body: { code } }));
    expect(answers.filter((r) => r.status === 200)).toHaveLength(1);
    expect(answers.filter((r) => r.status === 410).every((r) => r.body.code === 'already_approved')).toBe(true);
    expect(answers.filter((r) => r.status === 410)).toHaveLength(49);
  });

  it('30 concurrent wrong codes never use more than the 5 attempts', async () => {
    const to = randomUkMobile();
    const id = (await call('POST', '/v1/otp', { token: a, body: { to } })).body.verificationId as string;
    const right = await lastCode(to);
    const wrong = right === '000000' ? '111111' : '000000';
    const answers = await all(30, () => call('POST', `/v1/otp/${id}/verify`, { token: a, body: { code: wrong } }));
    expect(answers.filter((r) => r.status === 422).length + answers.filter((r) => r.body.code === 'max_attempts_reached').length).toBeGreaterThanOrEqual(5);
    expect((await call('GET', `/v1/otp/${id}`, { token: a })).body).toMatchObject({ attempts: 5, status: 'max_attempts_reached' });
    expect((await call('POST', `/v1/otp/${id}/verify`, { token: a, body: { code: right } })).status).toBe(410);
  });

  it('concurrent resends respect the send cap and the interval: one new code at most', async () => {
    const to = randomUkMobile();
    const id = (await call('POST', '/v1/otp', { token: a, body: { to } })).body.verificationId as string;
    const answers = await all(10, () => call('POST', `/v1/otp/${id}/resend`, { token: a }));
    // Within 30 s of the first send every resend waits its turn.
    expect(answers.every((r) => r.status === 429 && r.body.limit === 'resendInterval')).toBe(true);
    expect(await outbox(to)).toHaveLength(1);
  });

  it('one Idempotency-Key fired 20 times at once sends one SMS and answers the same verification', async () => {
    const to = randomUkMobile();
    const key = `race-${Math.random()}`;
    const answers = await all(20, () => call('POST', '/v1/otp', { token: a, body: { to }, headers: { 'Idempotency-Key': key } }));
    const created = answers.filter((r) => r.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((r) => r.body.verificationId)).size).toBe(1);
    expect(answers.every((r) => r.status === 201 || (r.status === 409 && r.body.code === 'idempotency_in_progress'))).toBe(true);
    expect(await outbox(to)).toHaveLength(1);
  });

  it('20 concurrent opens of a burn-after-read message return its body once', async () => {
    const to = randomUkMobile();
    const sent = await call('POST', '/v1/messages', { token: a, body: { to, body: 'Race body 8842', brand: 'Acme' } });
    expect(sent.status).toBe(201);
    const path = new URL((await outbox(to)).at(-1)!.text.match(/(http:\/\/\S+\/m\/[\w-]{43})/)![1]!).pathname;
    expect((await call('POST', `${path}/code`, { body: {} })).status).toBe(202);
    const code = await lastCode(to);
    const answers = await all(20, () => call('POST', `${path}/open`, { body: { code } }));
    expect(answers.filter((r) => r.status === 200).map((r) => r.body.body)).toEqual(['Race body 8842']);
    expect(answers.filter((r) => r.status !== 200).every((r) => r.status === 410)).toBe(true);
  });

  it('open racing revoke: once the revoke is acknowledged, no open returns the body', async () => {
    for (let round = 0; round < 5; round++) {
      const to = randomUkMobile();
      const sent = await call('POST', '/v1/messages', { token: a, body: { to, body: `Secret ${round}`, brand: 'Acme', burnAfterRead: false } });
      const path = new URL((await outbox(to)).at(-1)!.text.match(/(http:\/\/\S+\/m\/[\w-]{43})/)![1]!).pathname;
      await call('POST', `${path}/code`, { body: {} });
      const code = await lastCode(to);
      // Opens in flight while the revoke runs may win (they committed first); any open that starts
      // once the revoke is acknowledged must not get the body.
      const during = all(6, () => call('POST', `${path}/open`, { body: { code } }));
      const revoke = await call('DELETE', `/v1/messages/${String(sent.body.messageId)}`, { token: a });
      expect(revoke.status).toBe(200);
      const after = await all(6, () => call('POST', `${path}/open`, { body: { code } }));
      expect(after.map((r) => r.status)).toEqual(new Array(6).fill(410));
      expect((await during).every((r) => r.status === 200 || r.status === 410)).toBe(true);
      expect((await call('POST', `${path}/open`, { body: { code } })).status).toBe(410);
    }
  });
});
