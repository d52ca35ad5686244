import { beforeAll, describe, expect, it } from 'vitest';
import { randomUkMobile } from '../support/phones.ts';
import { until } from '../support/until.ts';
import { call, clients, lastCode, outbox, tokenFor } from './client.ts';

/** API 1.2 voice codes on the local stack: "call me instead", channels refused that are not available, 1.0 clients unchanged. */
let token: string;
beforeAll(async () => {
  token = await tokenFor(clients[0]!);
});

/** The code a call spoke: its digits, said one by one ("4, 8, 2, 9, 1, 0"), the first time. */
const spokenCode = (text: string) => text.match(/Your code is ((?:\d, )+\d)\./)![1]!.split(', ').join('');


describe('voice codes (API 1.2)', () => {
  it('calls with the code digit by digit, twice; the code approves; the call\'s receipt arrives; the view names the channel', async () => {
    const to = randomUkMobile();
    const issued = await call('POST', '/v1/otp', { token, body: { to, channel: 'voice', brand: 'Acme' } });
    expect(issued.status).toBe(201);
    expect(issued.body).toMatchObject({ channel: 'voice', status: 'pending' });
    const [callMade] = await outbox(to);
    expect(callMade).toMatchObject({ channel: 'voice', to });
    expect(callMade!.text.startsWith('This is Acme.')).toBe(true);
    const code = spokenCode(callMade!.text);
    expect(code).toMatch(/^\d{6}$/);
    expect(callMade!.text).toContain(`Again, your code is ${[...code].join(', ')}.`);
    const id = issued.body.verificationId as string;
    // The local receipt for the call, as End User Messaging's call events would say it was answered.
    await until(async () => ((await call('GET', `/v1/otp/${id}`, { token })).body.delivery as { status: string }).status === 'delivered' || undefined);
    expect((await call('GET', `/v1/otp/${id}`, { token })).body).toMatchObject({ channel: 'voice' });
    expect((await call('POST', `/v1/otp/${id}/verify`, { token, body: { code } })).body).toMatchObject({ status: 'approved' });
  });

  it('"call me instead": a resend on voice replaces the SMS code; a resend without a body stays on voice', async () => {
    const to = randomUkMobile();
    const issued = await call('POST', '/v1/otp', { token, body: { to } });
    expect(issued.body.channel).toBe('sms');
    const smsCode = await lastCode(to);
    const id = issued.body.verificationId as string;
    // The resend interval (30 s) is the 1.0 rule; the local stack's clock is real, so the test waits for it.
    await new Promise((r) => setTimeout(r, 30_500));
    const resent = await call('POST', `/v1/otp/${id}/resend`, { token, body: { channel: 'voice' } });
    expect(resent.status).toBe(200);
    expect(resent.body.channel).toBe('voice');
    const calls = (await outbox(to)).filter((e) => e.channel === 'voice');
    expect(calls).toHaveLength(1);
    const voiceCode = spokenCode(calls[0]!.text);
    if (voiceCode !== smsCode) {
      const old = await call('POST', `/v1/otp/${id}/verify`, { token, body: { code: smsCode } });
      expect(old.status).toBe(422);
    }
    expect((await call('POST', `/v1/otp/${id}/verify`, { token, body: { code: voiceCode } })).body).toMatchObject({ status: 'approved' });
  }, 60_000);

  it('refuses a channel this deployment does not offer yet with 403 channel_unavailable, writing and sending nothing', async () => {
    for (const channel of ['email']) {
      const to = randomUkMobile();
      const refused = await call('POST', '/v1/otp', { token, body: { to, channel } });
      expect(refused.status).toBe(403);
      expect(refused.headers.get('content-type')).toBe('application/problem+json');
      expect(refused.body).toMatchObject({ code: 'channel_unavailable', channel });
      expect(await outbox(to)).toEqual([]);
    }
    const bad = await call('POST', '/v1/otp', { token, body: { to: randomUkMobile(), channel: 'pigeon' } });
    expect(bad.status).toBe(400);
  });
});
