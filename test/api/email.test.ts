import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUkMobile } from '../support/phones.ts';
import { until } from '../support/until.ts';
import { call, clients, outbox, responses, stackLogLines, tokenFor } from './client.ts';

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

afterAll(() => {
  const logs = stackLogLines().join('\n');
  expect(secrets.length).toBeGreaterThan(2);
  for (const secret of secrets) {
    expect(logs.includes(secret), 'a log line holds an address or a code').toBe(false);
    expect(responses.some((r) => new RegExp(`\\b${secret.replace(/[.+]/g, '\\$&')}\\b`).test(r)), 'an answer holds an address or a code').toBe(false);
  }
});
