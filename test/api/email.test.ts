import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUkMobile } from '../support/phones.ts';
import { until } from '../support/until.ts';
import { call, clients, outbox, expectNoSecretsLeaked, tokenFor } from './client.ts';

/** Codes by e-mail on the local stack (API 1.2, issue 24): the address masked, both parts, e-mail as a workflow step. */
let token: string;
beforeAll(async () => {
  token = await tokenFor(clients[0]!);
});

const mailCode = (text: string) => text.match(/^\s+(\d{6,10})\s*$/m)![1]!;
/** Every address and code of this file: none may appear in an answer or a log line. */
const secrets: string[] = [];
const unique = () => {
  const email = `ann.${Math.random().toString(36).slice(2, 10)}@example.com`;
  secrets.push(email);
  return email;
};

describe('codes by e-mail (API 1.2)', () => {
  it('sends the code to the address (subject, text and HTML), shows it masked, and the code approves', async () => {
    const email = unique();
    const issued = await call('POST', '/v1/otp', { token, body: { to: randomUkMobile(), channel: 'email', email, brand: 'Acme Bank' } });
    expect(issued.status).toBe(201);
    expect(issued.body).toMatchObject({ channel: 'email', email: `a***@example.com`, deliveries: [{ channel: 'email' }] });
    expect(issued.text).not.toContain(email);
    const [mail] = await outbox(email);
    secrets.push(mailCode(mail!.text));
    expect(mail).toMatchObject({ channel: 'email', subject: 'Acme Bank: your sign-in code' });
    const html = (mail as { html?: string }).html!;
    expect(html).toContain(mailCode(mail!.text));
    expect(html).not.toMatch(/<img|https?:/i);
    const view = await call('GET', `/v1/otp/${issued.body.verificationId as string}`, { token });
    expect(view.body).toMatchObject({ email: 'a***@example.com', channel: 'email' });
    expect((await call('POST', `/v1/otp/${issued.body.verificationId as string}/verify`, { token, body: { code: mailCode(mail!.text) } })).body).toMatchObject({ status: 'approved' });
  });

  it('e-mail first, then SMS when the timeout passes; an e-mail step without an address is skipped', async () => {
    const to = randomUkMobile();
    const email = unique();
    const issued = await call('POST', '/v1/otp', { token, body: { to, email, workflow: [{ channel: 'email' }, { channel: 'sms' }], channelTimeout: 15 } });
    expect(issued.body).toMatchObject({ channel: 'email' });
    const sms = await until(async () => (await outbox(to)).find((e) => (e.channel ?? 'sms') === 'sms'), 30_000);
    expect(sms.text).toMatch(/\d{6}/);
    const skipped = await call('POST', '/v1/otp', { token, body: { to: randomUkMobile(), workflow: [{ channel: 'email' }, { channel: 'sms' }] } });
    expect(skipped.body).toMatchObject({ channel: 'sms' });
  }, 60_000);

  it('sends a sealed message\'s notice by e-mail (the link, never the body); the page sends its code by e-mail, masked; the code opens it', async () => {
    const email = unique();
    const to = randomUkMobile();
    // The body is in the recipient's own answer (the open), so it is not one of this file's secrets.
    const text = `Your new card PIN is ${Math.random().toString().slice(2, 6)}`;
    const sent = await call('POST', '/v1/messages', { token, body: { to, channel: 'email', email, body: text, brand: 'Acme Bank' } });
    expect(sent.status).toBe(201);
    expect(sent.body).toMatchObject({ channel: 'email', email: 'a***@example.com' });
    expect(await outbox(to)).toEqual([]);
    const [notice] = await outbox(email);
    expect(notice).toMatchObject({ channel: 'email', subject: 'Acme Bank: you have a secure message' });
    expect(`${notice!.text}${(notice as { html?: string }).html}`).not.toContain(text);
    const path = new URL(notice!.text.match(/(http:\/\/\S+\/m\/[\w-]{43})/)![1]!).pathname;
    const requested = await call('POST', `${path}/code`, { body: {} });
    expect(requested.status).toBe(202);
    expect(requested.body).toMatchObject({ to: 'a***@example.com' });
    const codeMail = (await outbox(email)).at(-1)!;
    expect(codeMail.text).toContain('open your secure message');
    const code = mailCode(codeMail.text);
    secrets.push(code);
    expect((await call('POST', `${path}/open`, { body: { code } })).body).toMatchObject({ body: text, brand: 'Acme Bank' });
    expect(await outbox(to)).toEqual([]);
  });

  it('verifies by e-mail alone (no number): no `to` in the views, resend by e-mail, a phone channel refused, export and erasure by the address', async () => {
    const email = unique();
    const issued = await call('POST', '/v1/otp', { token, body: { channel: 'email', email, brand: 'Acme Bank' } });
    expect(issued.status).toBe(201);
    expect(issued.body).toMatchObject({ channel: 'email', email: 'a***@example.com', deliveries: [{ channel: 'email' }] });
    expect(issued.body).not.toHaveProperty('to');
    const id = issued.body.verificationId as string;
    const first = mailCode((await outbox(email)).at(-1)!.text);
    secrets.push(first);
    // Without an address or without channel email, a number is still required.
    for (const body of [{ channel: 'email' }, { email }, { workflow: [{ channel: 'email' }, { channel: 'sms' }], email }]) {
      const bad = await call('POST', '/v1/otp', { token, body });
      expect(bad.status, JSON.stringify(body)).toBe(400);
      expect((bad.body.errors as { path: string }[]).map((e) => e.path)).toContain('to');
    }
    await new Promise((r) => setTimeout(r, 31_000));
    expect((await call('POST', `/v1/otp/${id}/resend`, { token, body: { channel: 'sms' } })).body).toMatchObject({ code: 'channel_unavailable' });
    const resent = await call('POST', `/v1/otp/${id}/resend`, { token, body: {} });
    expect(resent.status).toBe(200);
    const second = mailCode((await outbox(email)).at(-1)!.text);
    secrets.push(second);
    expect((await call('POST', `/v1/otp/${id}/verify`, { token, body: { code: second } })).body).toMatchObject({ status: 'approved' });
    expect((await call('GET', `/v1/otp/${id}`, { token })).body).not.toHaveProperty('to');
    // The address is its subject: found, once, by the address's export; gone after its erasure.
    const subjects = await tokenFor(clients[0]!);
    const exported = await call('POST', '/v1/subjects/export', { token: subjects, body: { email } });
    expect((exported.body.verifications as { id: string }[]).map((v) => v.id)).toEqual([id]);
    expect((await call('POST', '/v1/subjects/erase', { token: subjects, body: { email } })).body).toMatchObject({ erased: { verifications: 1 } });
  }, 60_000);

  it('an e-mail\'s SES receipt reaches the view and the events, which say channel email; a hard bounce fails it and suppresses the address', async () => {
    const email = unique();
    const issued = await call('POST', '/v1/otp', { token, body: { to: randomUkMobile(), channel: 'email', email } });
    const id = issued.body.verificationId as string;
    secrets.push(mailCode((await outbox(email)).at(-1)!.text));
    await until(async () => ((await call('GET', `/v1/otp/${id}`, { token })).body.delivery as { status: string }).status === 'delivered' || undefined, 20_000);
    type Ev = { type: string; data: Record<string, string> };
    // The feed is the client's, oldest first, with every other test's receipts in it: read it to the end.
    const findEvent = async () => {
      for (let after = ''; ;) {
        const page = await call('GET', `/v1/events?limit=100&types=delivery.*${after ? `&after=${after}` : ''}`, { token });
        const events = page.body.events as Ev[];
        const found = events.find((e) => e.data.verificationId === id);
        if (found || !events.length) return found;
        after = page.body.nextCursor as string;
      }
    };
    const delivered = await until(findEvent, 60_000);
    expect(delivered).toMatchObject({ type: 'delivery.delivered', data: { channel: 'email' } });

    const bounced = unique();
    const second = await call('POST', '/v1/otp', { token, body: { to: randomUkMobile(), channel: 'email', email: bounced } });
    expect((await call('POST', '/_local/delivery', { body: { to: bounced, status: 'failed', channel: 'email' } })).status).toBe(200);
    await until(async () => ((await call('GET', `/v1/otp/${second.body.verificationId as string}`, { token })).body.delivery as { status: string }).status === 'failed' || undefined, 20_000);
    expect((await call('POST', '/v1/otp', { token, body: { to: randomUkMobile(), channel: 'email', email: bounced } })).body).toMatchObject({ code: 'recipient_opted_out' });
  }, 150_000);

  it('refuses a malformed or over-long address with a 400 naming the field, sending nothing', async () => {
    for (const email of ['ann@', 'ann..lee@example.com', `${'a'.repeat(65)}@example.com`, 'ann@localhost']) {
      const bad = await call('POST', '/v1/otp', { token, body: { to: randomUkMobile(), channel: 'email', email } });
      expect(bad.status, email).toBe(400);
      expect(bad.headers.get('content-type')).toBe('application/problem+json');
      expect((bad.body.errors as { path: string }[]).map((e) => e.path)).toContain('email');
      expect(await outbox(email)).toEqual([]);
    }
  });
});

// A subject export hands back the address it was asked about, by design.
afterAll(() => expectNoSecretsLeaked(secrets, { atLeast: 2, match: { logs: 'anywhere', answers: 'word' }, answers: (r) => !r.includes('"verifications"') }));
