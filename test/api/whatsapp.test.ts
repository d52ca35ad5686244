import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUkMobile } from '../support/phones.ts';
import { until } from '../support/until.ts';
import { baseUrl, call, clients, outbox, expectNoSecretsLeaked, tokenFor } from './client.ts';

/**
 * WhatsApp codes on the local stack (API 1.2): Meta's rule first (no recorded WhatsApp opt-in, no
 * WhatsApp: a one-step request is 403, a workflow skips the step); a number that is not on WhatsApp
 * fails its step at once (Meta's 131026 status) and the workflow moves to SMS long before its timeout.
 */
let token: string;
beforeAll(async () => {
  token = await tokenFor(clients[0]!);
});

/** Every number and code of this file: none may appear in an answer or a log line. */
const secrets: string[] = [];
const mobile = () => {
  const to = randomUkMobile();
  secrets.push(to.slice(1));
  return to;
};
const whatsappCode = (text: string) => {
  const code = text.match(/^(\w+) is your verification code\./)![1]!;
  secrets.push(code);
  return code;
};
const smsCode = (text: string) => text.match(/\b(\d{6,10})\b/)![1]!;
const optIn = (to: string, status: 'opted_in' | 'opted_out' = 'opted_in') =>
  call('PUT', '/v1/consents', { token, body: { to, channel: 'whatsapp', category: 'all', status, source: 'web_form' } });
const local = (path: string, body: unknown) => fetch(`${baseUrl}${path}`, { method: 'POST', body: JSON.stringify(body) });

describe('WhatsApp codes (API 1.2)', () => {
  it('needs a recorded WhatsApp opt-in: 403 consent_required alone, a skipped step in a workflow; opting out stops it again', async () => {
    const to = mobile();
    const refused = await call('POST', '/v1/otp', { token, body: { to, channel: 'whatsapp' } });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'consent_required', channel: 'whatsapp' });
    expect(await outbox(to)).toEqual([]);
    const skipped = await call('POST', '/v1/otp', { token, body: { to, workflow: [{ channel: 'whatsapp' }, { channel: 'sms' }] } });
    expect(skipped.status).toBe(201);
    expect(skipped.body).toMatchObject({ channel: 'sms', deliveries: [{ channel: 'sms' }] });

    const opted = await optIn(to);
    expect(opted.status).toBe(200);
    expect(opted.body).toMatchObject({ channels: { whatsapp: { status: 'opted_in', source: 'web_form' } }, optedOutAll: false, promotional: { status: 'none' } });
    expect(opted.body.history).toMatchObject([{ channel: 'whatsapp', category: 'all', status: 'opted_in' }]);
    expect((await call('POST', '/v1/otp', { token, body: { to, channel: 'whatsapp' } })).status).toBe(201);

    expect((await optIn(to, 'opted_out')).body).toMatchObject({ channels: { whatsapp: { status: 'opted_out' } } });
    expect((await call('POST', '/v1/otp', { token, body: { to, channel: 'whatsapp' } })).body).toMatchObject({ code: 'consent_required' });
    // A WhatsApp opt-in covers every WhatsApp message: there is no promotional-only one.
    const promo = await call('PUT', '/v1/consents', { token, body: { to, channel: 'whatsapp', category: 'promotional', status: 'opted_in', source: 'web_form' } });
    expect(promo.status).toBe(400);
    expect(promo.headers.get('content-type')).toBe('application/problem+json');
  });

  it('sends the code on WhatsApp (the copy-code template), delivered by its status event, which approves; never a transaction code', async () => {
    const to = mobile();
    await optIn(to);
    const issued = await call('POST', '/v1/otp', { token, body: { to, channel: 'whatsapp' } });
    expect(issued.body).toMatchObject({ channel: 'whatsapp', status: 'pending' });
    const id = issued.body.verificationId as string;
    const [message] = await outbox(to);
    expect(message).toMatchObject({ channel: 'whatsapp' });
    expect(message!.text).toMatch(/do not share this code\.\n\[Copy code\]$/);
    // Delivered (a WhatsApp status event through the receipts function).
    await until(async () => ((await call('GET', `/v1/otp/${id}`, { token })).body.delivery as { status: string }).status === 'delivered' || undefined, 20_000);

    expect((await call('POST', `/v1/otp/${id}/verify`, { token, body: { code: whatsappCode(message!.text) } })).body).toMatchObject({ status: 'approved' });

    // Meta's authentication template cannot name amount and payee: a transaction code never goes on WhatsApp.
    const transaction = await call('POST', '/v1/otp', { token, body: { to, channel: 'whatsapp', purpose: 'transaction', transaction: { amount: '12.50', currency: 'EUR', payee: 'ACME Ltd' } } });
    expect(transaction.status).toBe(403);
    expect(transaction.body).toMatchObject({ code: 'channel_unavailable', channel: 'whatsapp' });
  });

  it('WhatsApp then SMS with the number off WhatsApp: the step fails at once (not_on_whatsapp) and the SMS goes out long before the timeout', async () => {
    const to = mobile();
    await optIn(to);
    expect((await local('/_local/channels', { to, whatsapp: false })).status).toBe(200);
    const issued = await call('POST', '/v1/otp', { token, body: { to, workflow: [{ channel: 'whatsapp' }, { channel: 'sms' }], channelTimeout: 300 } });
    expect(issued.body).toMatchObject({ channel: 'whatsapp' });
    const id = issued.body.verificationId as string;
    const sms = await until(async () => (await outbox(to)).find((e) => (e.channel ?? 'sms') === 'sms'), 20_000);
    const view = await call('GET', `/v1/otp/${id}`, { token });
    expect(view.body.deliveries).toMatchObject([{ channel: 'whatsapp', status: 'failed', errorCode: 'not_on_whatsapp' }, { channel: 'sms' }]);
    const moves = await until(async () => {
      const page = await call('GET', '/v1/events?limit=100&types=verification.fallback', { token });
      return (page.body.events as { data: Record<string, string> }[]).find((e) => e.data.verificationId === id);
    }, 20_000);
    expect(moves.data).toMatchObject({ from: 'whatsapp', to: 'sms', reason: 'failed' });
    expect((await call('POST', `/v1/otp/${id}/verify`, { token, body: { code: smsCode(sms.text) } })).body).toMatchObject({ status: 'approved' });
    const bad = await local('/_local/channels', { to: 'nope', whatsapp: false });
    expect(bad.status).toBe(400);
  }, 60_000);

  it('STOP sent to the business\'s WhatsApp number opts the number out of WhatsApp only; other WhatsApp messages are kept like texts', async () => {
    const to = mobile();
    await optIn(to);
    expect((await call('POST', '/_local/inbound', { body: { from: to, body: ' stop ', channel: 'whatsapp' } })).status).toBe(202);
    const consents = await call('POST', '/v1/consents/lookup', { token, body: { to } });
    expect(consents.body).toMatchObject({ optedOutAll: false, channels: { whatsapp: { status: 'opted_out', source: 'whatsapp_keyword' } } });
    expect((await call('POST', '/v1/otp', { token, body: { to, channel: 'whatsapp' } })).body).toMatchObject({ code: 'consent_required' });
    // Texts still go: the SMS consent is its own.
    expect((await call('POST', '/v1/otp', { token, body: { to } })).status).toBe(201);
    const since = new Date(Date.now() - 5_000).toISOString();
    const sent = await call('POST', '/_local/inbound', { body: { from: to, body: 'Is my parcel coming today?', channel: 'whatsapp' } });
    const id = sent.body.inboundMessageId as string;
    const kept = await call('GET', `/v1/inbound?${new URLSearchParams({ since, limit: '100' }).toString()}`, { token });
    expect((kept.body.messages as { id: string }[]).find((m) => m.id === id)).toMatchObject({ channel: 'whatsapp', body: 'Is my parcel coming today?', from: expect.not.stringContaining(to.slice(4)) });
  });
});

describe('sealed messages on WhatsApp (API 1.2)', () => {
  it('sends the notice through the utility template (the link, never the body); the page sends its code on WhatsApp; the code opens it', async () => {
    const to = mobile();
    const body = `Your new card PIN is ${Math.random().toString().slice(2, 6)}`;
    const refused = await call('POST', '/v1/messages', { token, body: { to, channel: 'whatsapp', body, brand: 'Acme Bank' } });
    expect(refused.body).toMatchObject({ code: 'consent_required', channel: 'whatsapp' });
    await optIn(to);
    const sent = await call('POST', '/v1/messages', { token, body: { to, channel: 'whatsapp', body, brand: 'Acme Bank' } });
    expect(sent.status).toBe(201);
    expect(sent.body).toMatchObject({ channel: 'whatsapp', delivery: 'sealed' });
    const [notice] = await outbox(to);
    expect(notice).toMatchObject({ channel: 'whatsapp' });
    expect(notice!.text).toMatch(/^You have a secure message from Acme Bank\. It can be read until .+ UTC\.\n\[Read message: http:\/\/\S+\/m\/[\w-]{43}\]$/);
    expect(notice!.text).not.toContain(body);
    const path = new URL(notice!.text.match(/(http:\/\/\S+\/m\/[\w-]{43})/)![1]!).pathname;
    const page = await (await fetch(`${baseUrl}${path}`)).text();
    expect(page).toContain('we first send a one-time code on WhatsApp to');
    const requested = await call('POST', `${path}/code`, { body: {} });
    expect(requested.body).toMatchObject({ channel: 'whatsapp', to: expect.stringMatching(/^\+44/) });
    const codeMessage = (await outbox(to)).at(-1)!;
    expect(codeMessage.channel).toBe('whatsapp');
    const code = whatsappCode(codeMessage.text);
    expect((await call('POST', `${path}/open`, { body: { code } })).body).toMatchObject({ body, brand: 'Acme Bank' });
    // Nothing went by SMS.
    expect((await outbox(to)).every((m) => m.channel === 'whatsapp')).toBe(true);
  });

  it('puts a direct message in the direct template; an opt-out of WhatsApp refuses the next', async () => {
    const to = mobile();
    await optIn(to);
    const sent = await call('POST', '/v1/messages', { token, body: { to, channel: 'whatsapp', body: 'Your parcel arrives today\nbetween 9 and 12', delivery: 'direct', brand: 'Acme' } });
    expect(sent.status).toBe(201);
    expect((await outbox(to)).at(-1)).toMatchObject({ channel: 'whatsapp', text: 'A message from Acme:\n\nYour parcel arrives today · between 9 and 12\n\nReply STOP to stop WhatsApp messages.' });
    await optIn(to, 'opted_out');
    expect((await call('POST', '/v1/messages', { token, body: { to, channel: 'whatsapp', body: 'Again', delivery: 'direct' } })).body).toMatchObject({ code: 'consent_required' });
  });
});

afterAll(() => expectNoSecretsLeaked(secrets, { atLeast: 4, match: { logs: 'word', answers: 'word' } }));
