import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUkMobile } from '../support/phones.ts';
import { call, clients, outbox, responses, expectNoSecretsLeaked, tokenFor } from './client.ts';

/**
 * E-mail consent over HTTP (API 1.2, issue 24): an address's own opt-in for promotional e-mail,
 * one-click unsubscribe (RFC 8058) recording the opt-out with its source, and data-subject rights by
 * address. No address in any answer (exports aside) or log line.
 */
let a: string;
beforeAll(async () => {
  a = await tokenFor(clients[0]!);
});
const secrets: string[] = [];
const unique = () => {
  const email = `bo.${Math.random().toString(36).slice(2, 10)}@example.org`;
  secrets.push(email);
  return email;
};
async function approvedPromo(text: string): Promise<string> {
  const b = await tokenFor(clients[1]!);
  const id = (await call('POST', '/v1/templates', { token: a, body: { name: 'mail-promo', category: 'promotional', text } })).body.templateId as string;
  expect((await call('POST', `/v1/templates/${id}/versions/1/approve`, { token: b, body: {} })).status).toBe(200);
  return id;
}
type Mail = { text: string; html?: string; headers?: Record<string, string> };
const page = async (url: string, init: RequestInit = {}) => {
  const res = await fetch(url, init);
  const text = await res.text();
  responses.push(text);
  return { status: res.status, type: res.headers.get('content-type'), csp: res.headers.get('content-security-policy'), text };
};
const oneClick = (url: string, body = 'List-Unsubscribe=One-Click', type = 'application/x-www-form-urlencoded') =>
  page(url, { method: 'POST', headers: { 'Content-Type': type }, body });

describe('e-mail consent and one-click unsubscribe (API 1.2)', () => {
  it('promotional e-mail needs the address\'s opt-in; it carries List-Unsubscribe; the page changes nothing; the one-click POST opts out', async () => {
    const email = unique();
    const to = randomUkMobile();
    const templateId = await approvedPromo('Our autumn sale starts today');
    const promo = () => call('POST', '/v1/messages', { token: a, body: { to, channel: 'email', email, templateId, delivery: 'direct' } });

    const refused = await promo();
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'consent_required', channel: 'email' });
    // The number's own promotional opt-in is about texts: it does not open the address.
    await call('PUT', '/v1/consents', { token: a, body: { to, category: 'promotional', status: 'opted_in', source: 'web_form' } });
    expect((await promo()).status).toBe(403);
    const optIn = await call('PUT', '/v1/consents', { token: a, body: { channel: 'email', email, category: 'promotional', status: 'opted_in', source: 'newsletter_form', textVersion: 'n1' } });
    expect(optIn.status).toBe(200);
    expect(optIn.body).toMatchObject({ email: 'b***@example.org', promotional: { status: 'opted_in' }, channels: { email: { status: 'opted_in', source: 'newsletter_form' } } });
    expect(optIn.body).not.toHaveProperty('to');
    expect((await promo()).status).toBe(201);

    const mail = (await outbox(email)).at(-1) as Mail;
    expect(mail.text).toContain('Our autumn sale starts today');
    const link = /^<(https?:\/\/[^>]+\/u\/[\w-]+\.[\w-]+)>$/.exec(mail.headers!['List-Unsubscribe']!)![1]!;
    expect(mail.headers!['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    // The same link, visible in both parts; it names no one.
    expect(mail.text).toContain(link);
    expect(mail.html).toContain(link);
    expect(link).not.toContain('example.org');

    // A link scanner or a preview fetching the link unsubscribes no one.
    const shown = await page(link);
    expect(shown.status).toBe(200);
    expect(shown.type).toBe('text/html; charset=utf-8');
    expect(shown.csp).toContain("form-action 'self'");
    expect(shown.text).toContain('name="List-Unsubscribe" value="One-Click"');
    const lookup = () => call('POST', '/v1/consents/lookup', { token: a, body: { email } });
    expect((await lookup()).body).toMatchObject({ channels: { email: { status: 'opted_in' } } });

    // Not the one-click body: refused, nothing changes.
    const wrong = await oneClick(link, 'List-Unsubscribe=Yes');
    expect(wrong.status).toBe(400);
    expect((await lookup()).body).toMatchObject({ channels: { email: { status: 'opted_in' } } });

    const done = await oneClick(link);
    expect(done.status).toBe(200);
    expect(done.text).toContain('You are unsubscribed');
    // A mail client retrying the POST adds nothing.
    expect((await oneClick(link)).status).toBe(200);
    const after = (await lookup()).body;
    expect(after).toMatchObject({ email: 'b***@example.org', promotional: { status: 'opted_out', source: 'one_click_unsubscribe' }, channels: { email: { status: 'opted_out' } } });
    expect((after.history as { source: string; status: string; channel?: string }[]).map((h) => `${h.channel}:${h.source}:${h.status}`)).toEqual(['email:newsletter_form:opted_in', 'email:one_click_unsubscribe:opted_out']);
    const sent = (await outbox(email)).length;
    expect((await promo()).body).toMatchObject({ code: 'consent_required' });
    expect(await outbox(email)).toHaveLength(sent);

    // Codes and transactional mail still reach the address; a forged link is not found.
    expect((await call('POST', '/v1/otp', { token: a, body: { to, channel: 'email', email } })).status).toBe(201);
    expect((await page(link.replace(/\.[\w-]+$/, '.AAAAAAAAAAAAAAAAAAAAAA'))).status).toBe(404);
    expect((await oneClick(link.replace(/\.[\w-]+$/, '.AAAAAAAAAAAAAAAAAAAAAA'))).text).toContain('Link not valid');
  });

  it('an opt-out of every e-mail stops codes to the address, not texts to the number; an SMS STOP stops texts, not e-mail', async () => {
    const email = unique();
    const to = randomUkMobile();
    await call('PUT', '/v1/consents', { token: a, body: { channel: 'email', email, category: 'all', status: 'opted_out', source: 'support_ticket' } });
    expect((await call('POST', '/v1/otp', { token: a, body: { to, channel: 'email', email } })).body).toMatchObject({ code: 'recipient_opted_out' });
    expect((await call('POST', '/v1/otp', { token: a, body: { to } })).status).toBe(201);
    const other = unique();
    await call('POST', '/_local/inbound', { body: { from: to, body: 'STOP' } });
    expect((await call('POST', '/v1/otp', { token: a, body: { to } })).body).toMatchObject({ code: 'recipient_opted_out' });
    expect((await call('POST', '/v1/otp', { token: a, body: { to, channel: 'email', email: other } })).status).toBe(201);
  });

  it('refuses a consent change that names the wrong party for its channel', async () => {
    const email = unique();
    for (const body of [
      { channel: 'email', to: randomUkMobile(), category: 'promotional', status: 'opted_in', source: 'web_form' },
      { channel: 'email', email, to: randomUkMobile(), category: 'promotional', status: 'opted_in', source: 'web_form' },
      { email, category: 'promotional', status: 'opted_in', source: 'web_form' },
      { channel: 'email', email: 'not-an-address', category: 'promotional', status: 'opted_in', source: 'web_form' },
    ]) {
      const bad = await call('PUT', '/v1/consents', { token: a, body });
      expect(bad.status, JSON.stringify(body)).toBe(400);
    }
    expect((await call('POST', '/v1/consents/lookup', { token: a, body: { to: randomUkMobile(), email } })).status).toBe(400);
  });
});

describe('data subjects by address (API 1.2)', () => {
  it('exports what was sent to the address and its consent, then erases it; a bounce suppression survives', async () => {
    const email = `cy.${Math.random().toString(36).slice(2, 10)}@example.net`;
    const to = randomUkMobile();
    await call('PUT', '/v1/consents', { token: a, body: { channel: 'email', email, category: 'promotional', status: 'opted_in', source: 'web_form' } });
    expect((await call('POST', '/v1/messages', { token: a, body: { to, channel: 'email', email, body: 'Your statement is ready' } })).status).toBe(201);
    expect((await call('POST', '/v1/otp', { token: a, body: { to, channel: 'email', email } })).status).toBe(201);
    // A text to the same number is the number's, not the address's.
    expect((await call('POST', '/v1/otp', { token: a, body: { to } })).status).toBe(201);

    const exported = await call('POST', '/v1/subjects/export', { token: a, body: { email } });
    expect(exported.status).toBe(200);
    expect(exported.body).toMatchObject({
      email, messages: [expect.objectContaining({ body: 'Your statement is ready', sentToEmail: email })],
      verifications: [expect.objectContaining({ sentToEmail: email })], consent: { promotional: 'opted_in' },
    });
    expect(exported.body).not.toHaveProperty('phone');
    expect(exported.body.consentHistory).toHaveLength(1);

    const erased = await call('POST', '/v1/subjects/erase', { token: a, body: { email } });
    // The local stack archives transactional messages: the archived copy is kept under its retention, and said so.
    expect(erased.body).toMatchObject({ erased: { verifications: 1, messages: 1, inboundMessages: 0, consentRecords: 2 }, suppressionKept: false, retained: [{ messageId: expect.any(String) }] });
    expect((await call('POST', '/v1/subjects/export', { token: a, body: { email } })).body).toMatchObject({ verifications: [], messages: [], consentHistory: [] });
    // The number keeps its own text.
    expect((await call('POST', '/v1/subjects/export', { token: a, body: { to } })).body.verifications).toHaveLength(1);
    expect((await call('POST', '/v1/subjects/export', { token: a, body: { to, email } })).status).toBe(400);
  });
});

afterAll(() => expectNoSecretsLeaked(secrets, { atLeast: 2, match: { logs: 'anywhere', answers: 'anywhere' } }));
