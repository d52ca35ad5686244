import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUkMobile } from '../support/phones.ts';
import { baseUrl, call, clients, outbox, responses, stackLogLines, tokenFor } from './client.ts';

/** The sealed-messages contract of API.md over HTTP against the local stack. */
const secrets: string[] = [];
const phone = () => {
  const to = randomUkMobile();
  secrets.push(to.slice(1));
  return to;
};
const body = (text: string) => (secrets.push(text), text);

let a: string;
let b: string;
beforeAll(async () => {
  [a, b] = await Promise.all([tokenFor(clients[0]!), tokenFor(clients[1]!)]);
});

async function sendSealed(extra: Record<string, unknown> = {}) {
  const to = phone();
  const text = body(`Your PIN is ${Math.random().toString().slice(2, 8)}-${Date.now()}`);
  const res = await call('POST', '/v1/messages', { token: a, body: { to, body: text, brand: 'Acme Bank', ...extra } });
  expect(res.status).toBe(201);
  const link = (await outbox(to)).at(-1)!.text.match(/(http:\/\/\S+\/m\/[\w-]{43})/)![1]!;
  return { to, text, id: res.body.messageId as string, path: new URL(link).pathname };
}
const recipient = (method: string, path: string, json?: unknown) => call(method, path, json === undefined ? {} : { body: json });
async function openCode(to: string, path: string) {
  expect((await recipient('POST', `${path}/code`, {})).status).toBe(202);
  const code = (await outbox(to)).at(-1)!.text.match(/\b(\d{6})\b/)![1]!;
  secrets.push(code);
  return code;
}

describe('POST /v1/messages (sealed)', () => {
  it('texts a notice and a link, never the body, and opens once with a code', async () => {
    const s = await sendSealed();
    const [sms] = await outbox(s.to);
    expect(sms!.text).toMatch(/^Acme Bank: you have a secure message/);
    expect(sms!.text).not.toContain(s.text);

    const page = await fetch(`${baseUrl}${s.path}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('x-robots-tag')).toContain('noindex');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect(await page.text()).not.toContain('Your PIN');

    const code = await openCode(s.to, s.path);
    const opened = await recipient('POST', `${s.path}/open`, { code });
    expect(opened.status).toBe(200);
    expect(opened.body).toMatchObject({ body: s.text, brand: 'Acme Bank', burned: true });
    expect((await recipient('POST', `${s.path}/open`, { code })).body).toMatchObject({ status: 410, code: 'already_read' });
    expect((await fetch(`${baseUrl}${s.path}`)).status).toBe(410);
    expect((await call('GET', `/v1/messages/${s.id}`, { token: a })).body).toMatchObject({ status: 'opened', openedAt: expect.any(String) });
  });

  it('lets a page load change nothing: loading it twice leaves the message openable', async () => {
    const s = await sendSealed();
    for (let i = 0; i < 3; i++) expect((await fetch(`${baseUrl}${s.path}`)).status).toBe(200);
    expect((await call('GET', `/v1/messages/${s.id}`, { token: a })).body.status).toBe('sent');
  });

  it('answers a wrong code with the remaining attempts', async () => {
    const s = await sendSealed();
    const code = await openCode(s.to, s.path);
    const wrong = await recipient('POST', `${s.path}/open`, { code: code === '000000' ? '111111' : '000000' });
    expect(wrong.status).toBe(422);
    expect(wrong.body).toMatchObject({ code: 'invalid_code', remainingAttempts: 4 });
  });

  it('revokes: the content is gone at once and the link answers 410', async () => {
    const s = await sendSealed();
    const code = await openCode(s.to, s.path);
    expect((await call('DELETE', `/v1/messages/${s.id}`, { token: b })).status).toBe(404);
    expect((await call('DELETE', `/v1/messages/${s.id}`, { token: a })).body).toEqual({ status: 'revoked' });
    expect((await recipient('POST', `${s.path}/open`, { code })).body).toMatchObject({ status: 410, code: 'revoked' });
    expect((await fetch(`${baseUrl}${s.path}`)).status).toBe(410);
    expect((await call('GET', `/v1/messages/${s.id}`, { token: a })).body).toMatchObject({ status: 'revoked', revokedAt: expect.any(String) });
  });

  it('rate limits code requests like resends: 30 s apart', async () => {
    const s = await sendSealed();
    await openCode(s.to, s.path);
    const again = await recipient('POST', `${s.path}/code`, {});
    expect(again.status).toBe(429);
    expect(Number(again.headers.get('retry-after'))).toBeGreaterThan(20);
  });

  it('answers 404 for unknown links and other clients, exactly as for unknown ids', async () => {
    expect((await fetch(`${baseUrl}/m/${'A'.repeat(43)}`)).status).toBe(404);
    expect((await recipient('POST', `/m/${'A'.repeat(43)}/code`, {})).body).toMatchObject({ status: 404, code: 'not_found' });
    const s = await sendSealed();
    const theirs = await call('GET', `/v1/messages/${s.id}`, { token: b });
    const unknown = await call('GET', '/v1/messages/AAAAAAAAAAAAAAAAAAAAAA', { token: b });
    expect(theirs.status).toBe(404);
    expect(theirs.body).toEqual(unknown.body);
  });
});

describe('POST /v1/messages (rules)', () => {
  it('puts a direct message in the SMS itself, with no link', async () => {
    const to = phone();
    const res = await call('POST', '/v1/messages', { token: a, body: { to, body: 'Your parcel arrives today', delivery: 'direct', brand: 'Acme' } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ delivery: 'direct', status: 'sent' });
    expect((await outbox(to))[0]!.text).toBe('Acme: Your parcel arrives today');
  });

  it('refuses a promotional message without a recorded opt-in (and a free promotional body at all), sending nothing', async () => {
    const to = phone();
    // The default policy (requireApprovedTemplates: promotional) wants an approved template.
    const free = await call('POST', '/v1/messages', { token: a, body: { to, body: 'Sale!', category: 'promotional' } });
    expect(free.body).toMatchObject({ status: 403, code: 'template_required', category: 'promotional' });
    const { templateId } = (await call('POST', '/v1/templates', { token: a, body: { name: 'sale', category: 'promotional', text: 'Sale for {{name}}!' } })).body as { templateId: string };
    expect((await call('POST', `/v1/templates/${templateId}/versions/1/approve`, { token: b, body: {} })).status).toBe(200);
    const res = await call('POST', '/v1/messages', { token: a, body: { to, templateId, variables: { name: 'Ann' } } });
    expect(res.body).toMatchObject({ status: 403, code: 'consent_required' });
    expect(await outbox(to)).toHaveLength(0);
  });

  it('validates the body as the contract says, without echoing it', async () => {
    const to = phone();
    const long = await call('POST', '/v1/messages', { token: a, body: { to, body: body(`secret ${'x'.repeat(700)}`), delivery: 'direct' } });
    expect(long.status).toBe(400);
    expect(long.body.errors).toEqual([expect.objectContaining({ path: 'body' })]);
    expect(long.text).not.toContain('secret');
    expect((await call('POST', '/v1/messages', { token: a, body: { to, body: 'x', ttlSeconds: 10 } })).status).toBe(400);
    expect((await call('POST', '/v1/messages', { token: await tokenFor(clients[0]!, 'p2a/otp.send'), body: { to, body: 'x' } })).status).toBe(403);
    expect(await outbox(to)).toHaveLength(0);
  });
});

afterAll(() => {
  const logs = stackLogLines().join('\n');
  expect(secrets.length).toBeGreaterThan(8);
  for (const secret of secrets) {
    const pattern = new RegExp(`\\b${secret.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`);
    expect(pattern.test(logs), 'a log line holds a number, a code or a body').toBe(false);
    const leaking = responses.filter((r) => pattern.test(r) && !r.includes('"burned"'));
    expect(leaking, 'a response other than the open holds a number, a code or a body').toEqual([]);
  }
});
