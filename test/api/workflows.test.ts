import { beforeAll, describe, expect, it } from 'vitest';
import { randomUkMobile } from '../support/phones.ts';
import { until } from '../support/until.ts';
import { baseUrl, call, clients, outbox, tokenFor } from './client.ts';

/**
 * API 1.2 workflows on the local stack: the first step goes out at once; the next when the step
 * fails or `channelTimeout` passes (the test stack runs timeouts at a tenth: 15 s in 1.5 s), sent
 * by the fallback function from the step's committed events; every step's code is valid; views
 * list every delivery; `verification.fallback` is announced.
 */
let token: string;
beforeAll(async () => {
  token = await tokenFor(clients[0]!);
});

const spokenCode = (text: string) => text.match(/Your code is ((?:\d, )+\d)\./)![1]!.split(', ').join('');
const smsCode = (text: string) => text.match(/\b(\d{6,10})\b/)![1]!;
type Fallback = { type: string; data: Record<string, string> };
async function fallbackEvents(id: string, count: number) {
  return until(async () => {
    const page = await call('GET', '/v1/events?limit=100&types=verification.fallback', { token });
    const mine = (page.body.events as Fallback[]).filter((e) => e.data.verificationId === id);
    return mine.length >= count ? mine : undefined;
  }, 30_000);
}

describe('workflows (API 1.2)', () => {
  it('voice, then SMS when the timeout passes: both codes work, the view lists both deliveries, the move is announced', async () => {
    const to = randomUkMobile();
    const issued = await call('POST', '/v1/otp', { token, body: { to, workflow: [{ channel: 'voice' }, { channel: 'sms' }], channelTimeout: 15 } });
    expect(issued.status).toBe(201);
    expect(issued.body).toMatchObject({ channel: 'voice', deliveries: [{ channel: 'voice' }] });
    const id = issued.body.verificationId as string;
    const sms = await until(async () => (await outbox(to)).find((e) => e.channel === 'sms'), 30_000);
    const calls = (await outbox(to)).filter((e) => e.channel === 'voice');
    expect(calls).toHaveLength(1);
    const view = await call('GET', `/v1/otp/${id}`, { token });
    expect(view.body).toMatchObject({ channel: 'sms', status: 'pending' });
    expect((view.body.deliveries as { channel: string }[]).map((d) => d.channel)).toEqual(['voice', 'sms']);
    const [move] = await fallbackEvents(id, 1);
    expect(move!.data).toMatchObject({ from: 'voice', to: 'sms', reason: 'timeout' });
    // The call's code is still valid beside the SMS's (fallback adds a code).
    const code = spokenCode(calls[0]!.text);
    expect(code === smsCode(sms.text) || (await call('POST', `/v1/otp/${id}/verify`, { token, body: { code } })).body.status === 'approved').toBe(true);
    // Nothing more is sent: the last step has no timeout, and the verification is approved anyway.
    await new Promise((r) => setTimeout(r, 2_000));
    expect(await outbox(to)).toHaveLength(2);
  }, 60_000);

  it('moves on at once when the step fails (its receipt), long before the timeout', async () => {
    const to = randomUkMobile();
    const issued = await call('POST', '/v1/otp', { token, body: { to, workflow: [{ channel: 'voice' }, { channel: 'sms' }], channelTimeout: 300 } });
    const id = issued.body.verificationId as string;
    const failed = await fetch(`${baseUrl}/_local/delivery`, { method: 'POST', body: JSON.stringify({ to, status: 'failed' }) });
    expect(failed.status).toBe(200);
    const sms = await until(async () => (await outbox(to)).find((e) => e.channel === 'sms'), 30_000);
    const view = await call('GET', `/v1/otp/${id}`, { token });
    expect(view.body.deliveries).toMatchObject([{ channel: 'voice', status: 'failed' }, { channel: 'sms' }]);
    const [move] = await fallbackEvents(id, 1);
    expect(move!.data).toMatchObject({ from: 'voice', to: 'sms', reason: 'failed' });
    expect((await call('POST', `/v1/otp/${id}/verify`, { token, body: { code: smsCode(sms.text) } })).body).toMatchObject({ status: 'approved' });
  }, 60_000);

  it('skips a step it cannot use, and refuses a workflow with none it can; bad workflows are 400', async () => {
    const to = randomUkMobile();
    const issued = await call('POST', '/v1/otp', { token, body: { to, workflow: [{ channel: 'email' }, { channel: 'sms' }] } });
    expect(issued.status).toBe(201);
    expect(issued.body).toMatchObject({ channel: 'sms', deliveries: [{ channel: 'sms' }] });
    const [skip] = await fallbackEvents(issued.body.verificationId as string, 1);
    expect(skip!.data).toMatchObject({ from: 'email', to: 'sms', reason: 'skipped' });
    const none = await call('POST', '/v1/otp', { token, body: { to: randomUkMobile(), workflow: [{ channel: 'email' }] } });
    expect(none.status).toBe(403);
    expect(none.body).toMatchObject({ code: 'channel_unavailable', channel: 'email' });
    for (const body of [
      { to, channel: 'sms', workflow: [{ channel: 'sms' }] },
      { to, workflow: [{ channel: 'sms' }, { channel: 'sms' }] },
      { to, workflow: [{ channel: 'sms' }], channelTimeout: 5 },
      { to, channelTimeout: 60 },
    ]) {
      const bad = await call('POST', '/v1/otp', { token, body });
      expect(bad.status).toBe(400);
      expect(bad.headers.get('content-type')).toBe('application/problem+json');
    }
  });
});
