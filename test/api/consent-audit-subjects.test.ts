import { execFile } from 'node:child_process';
import { verify } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { merkleRoot } from '#shared/audit/seal';
import { randomUkMobile } from '../support/phones.ts';
import { baseUrl, call, clients, outbox, tokenFor } from './client.ts';

/** Consent, inbound texts, the audit trail and data-subject rights over HTTP against the local stack. */
let a: string;
beforeAll(async () => {
  a = await tokenFor(clients[0]!);
});
const inbound = (from: string, body: string) => call('POST', '/_local/inbound', { body: { from, body } });
/** Promotional texts need an approved template (requireApprovedTemplates: promotional): written by A, approved by B. */
async function approvedPromo(text: string): Promise<string> {
  const b = await tokenFor(clients[1]!);
  const id = (await call('POST', '/v1/templates', { token: a, body: { name: 'promo', category: 'promotional', text } })).body.templateId as string;
  expect((await call('POST', `/v1/templates/${id}/versions/1/approve`, { token: b, body: {} })).status).toBe(200);
  return id;
}
const enc = encodeURIComponent;

describe('promotional consent and STOP/START', () => {
  it('answers each send as the contract says, and the outbox shows only what went out', async () => {
    const to = randomUkMobile();
    const templateId = await approvedPromo('Sale: {{pct}} off');
    const promo = () => call('POST', '/v1/messages', { token: a, body: { to, templateId, variables: { pct: '20%' }, delivery: 'direct' } });
    const otp = () => call('POST', '/v1/otp', { token: a, body: { to } });

    expect((await promo()).body).toMatchObject({ status: 403, code: 'consent_required' });
    const optIn = await call('PUT', '/v1/consents', { token: a, body: { to, category: 'promotional', status: 'opted_in', source: 'web_form', evidence: 'signup form, box ticked', textVersion: 'v2' } });
    expect(optIn.status).toBe(200);
    expect(optIn.body).toMatchObject({ promotional: { status: 'opted_in', source: 'web_form' }, optedOutAll: false });
    expect((await promo()).status).toBe(201);

    expect((await inbound(to, '  stop ')).status).toBe(202);
    expect((await promo()).body).toMatchObject({ status: 403, code: 'recipient_opted_out' });
    expect((await otp()).body).toMatchObject({ status: 403, code: 'recipient_opted_out' });

    await inbound(to, 'Start');
    expect((await otp()).status).toBe(201);
    expect((await promo()).body).toMatchObject({ status: 403, code: 'consent_required' });

    const texts = (await outbox(to)).map((m) => m.text);
    expect(texts).toHaveLength(2);
    expect(texts[0]).toBe('Sealtext: Sale: 20% off');
    expect(texts[1]).toMatch(/is your sign-in code/);

    const consents = await call('POST', '/v1/consents/lookup', { token: a, body: { to } });
    expect(consents.body).toMatchObject({ optedOutAll: false, promotional: { status: 'opted_out', source: 'sms_keyword' } });
    expect((consents.body.history as { source: string; status: string }[]).map((h) => `${h.source}:${h.status}`)).toEqual(['web_form:opted_in', 'sms_keyword:opted_out', 'sms_keyword:opted_in']);
    expect(consents.text).not.toContain(to.slice(1));
  });

  it('answers HELP with the help text and lists other texts for the business with inbound.read', async () => {
    const from = randomUkMobile();
    await inbound(from, 'HELP');
    expect((await outbox(from)).at(-1)!.text).toMatch(/Reply STOP/);
    const since = new Date().toISOString();
    await inbound(from, 'Can I change my delivery slot?');
    const listed = await call('GET', `/v1/inbound?since=${enc(since)}`, { token: a });
    expect(listed.status).toBe(200);
    expect(listed.body.messages).toContainEqual(expect.objectContaining({ body: 'Can I change my delivery slot?', from: `${from.slice(0, 5)}******${from.slice(-2)}` }));
    const noScope = await tokenFor(clients[0]!, 'p2a/otp.send');
    expect((await call('GET', '/v1/inbound', { token: noScope })).status).toBe(403);
  });
});

describe('audit trail', () => {
  it('lists a number\'s events, masked and sealed, and verifies the trail intact (API and npm run audit:verify)', async () => {
    const to = randomUkMobile();
    const issued = await call('POST', '/v1/otp', { token: a, body: { to } });
    const id = issued.body.verificationId as string;
    await call('DELETE', `/v1/otp/${id}`, { token: a });
    const events = await call('POST', '/v1/audit/search', { token: a, body: { to } });
    // (The SMS's delivery receipt, about a second later, is an event of its own: not counted here.)
    const actions = (events.body.events as { action: string; outcome: string; subject: string; actor: string }[]).filter((e) => e.action !== 'delivery.receipt');
    expect(actions.map((e) => `${e.actor}:${e.action}:${e.outcome}`)).toEqual([
      `${clients[0]!.clientId}:otp.issue:pending`,
      `${clients[0]!.clientId}:otp.cancel:canceled`,
    ]);
    expect(events.text).not.toContain(to.slice(1));
    expect((events.body.events as { subject?: string }[])[0]!.subject).toMatch(/^\+44\d{2}\*+\d{2}$/);

    // Sealed once the sealer runs (every minute; here, now).
    const run1 = await fetch(`${baseUrl}/_local/audit/seal`, { method: 'POST' });
    expect(run1.status).toBe(200);
    const sealed = await call('POST', '/v1/audit/search', { token: a, body: { to } });
    expect((sealed.body.events as { action: string; seal?: string }[]).filter((e) => e.action !== 'delivery.receipt').every((e) => /^seal-\d+$/.test(e.seal ?? ''))).toBe(true);
    const verdict = (await call('GET', '/v1/audit/verify', { token: a })).body;
    expect(verdict).toMatchObject({ intact: true, seals: expect.any(Number), sealedThrough: expect.any(String) });
    expect(verdict.events as number).toBeGreaterThanOrEqual(2);

    const run = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'infra/scripts/audit-verify.ts', '--dir', inject('localDir')]);
    expect(JSON.parse(run.stdout)).toMatchObject({ intact: true });
  });

  it('serves the public key, with which anyone verifies an archived seal file without AWS or the API', async () => {
    const key = await call('GET', '/v1/audit/public-key', { token: a });
    expect(key.status).toBe(200);
    expect(key.body).toMatchObject({ algorithm: 'ECDSA_SHA_256', publicKeyPem: expect.stringContaining('BEGIN PUBLIC KEY') });
    await call('POST', '/v1/otp', { token: a, body: { to: randomUkMobile() } });
    await fetch(`${baseUrl}/_local/audit/seal`, { method: 'POST' });
    const dir = join(inject('localDir'), 'seals');
    const files = readdirSync(dir).sort();
    expect(files.length).toBeGreaterThan(0);
    // What docs/audit.md shows an auditor: the signature over the signed message, the root over the entries.
    const file = JSON.parse(readFileSync(join(dir, files.at(-1)!), 'utf8')) as { signedMessage: string; signature: string; entries: string[]; header: { root: string } };
    expect(verify('sha256', Buffer.from(file.signedMessage), key.body.publicKeyPem as string, Buffer.from(file.signature, 'base64'))).toBe(true);
    expect(merkleRoot(file.entries)).toBe(file.header.root);
    expect(JSON.parse(file.signedMessage).root).toBe(file.header.root);
    expect(verify('sha256', Buffer.from(file.signedMessage.replace('"count":', '"count":1')), key.body.publicKeyPem as string, Buffer.from(file.signature, 'base64'))).toBe(false);
    const noScope = await tokenFor(clients[0]!, 'p2a/otp.send');
    expect((await call('GET', '/v1/audit/public-key', { token: noScope })).status).toBe(403);
  });
});

describe('data subjects', () => {
  it('exports, erases with counts, and keeps refusing promotional sends', async () => {
    const to = randomUkMobile();
    await call('PUT', '/v1/consents', { token: a, body: { to, category: 'promotional', status: 'opted_in', source: 'web_form' } });
    expect((await call('POST', '/v1/messages', { token: a, body: { to, templateId: await approvedPromo('Your statement is ready'), category: 'promotional' } })).status).toBe(201);
    await call('POST', '/v1/otp', { token: a, body: { to } });
    await inbound(to, 'thanks');
    await inbound(to, 'STOP');

    const exported = await call('POST', '/v1/subjects/export', { token: a, body: { to } });
    expect(exported.status).toBe(200);
    expect(exported.body).toMatchObject({ messages: [expect.objectContaining({ body: 'Your statement is ready' })], inboundMessages: [expect.objectContaining({ body: 'thanks' })] });
    expect(exported.body.verifications).toHaveLength(1);

    const erased = await call('POST', '/v1/subjects/erase', { token: a, body: { to } });
    // The consent record and its two changes (the opt-in, the STOP).
    expect(erased.body).toEqual({ erased: { verifications: 1, messages: 1, inboundMessages: 1, consentRecords: 3 }, suppressionKept: true, retained: [] });
    const after = await call('POST', '/v1/subjects/export', { token: a, body: { to } });
    expect(after.body).toMatchObject({ verifications: [], messages: [], inboundMessages: [], consentHistory: [], consent: { optedOutAll: true, suppressed: true } });
    expect((await call('POST', '/v1/messages', { token: a, body: { to, body: 'Sale', category: 'promotional' } })).status).toBe(403);
    const noScope = await tokenFor(clients[0]!, 'p2a/otp.send');
    expect((await call('DELETE', `/v1/subjects/${enc(to)}`, { token: noScope })).status).toBe(403);
    expect((await call('POST', '/v1/subjects/erase', { token: noScope, body: { to } })).status).toBe(403);
  });

  it('keeps the deprecated 1.0 forms (a number in the URL) answering as their body forms; bad bodies change nothing', async () => {
    const to = randomUkMobile();
    await call('PUT', '/v1/consents', { token: a, body: { to, category: 'promotional', status: 'opted_in', source: 'web_form' } });
    await call('POST', '/v1/otp', { token: a, body: { to } });
    const strip = (b: Record<string, unknown>) => JSON.stringify(b).replace(/"(at|updatedAt|createdAt|expiresAt|lastSentAt)":"[^"]*"/g, '');
    expect(strip((await call('GET', `/v1/consents?to=${enc(to)}`, { token: a })).body)).toBe(strip((await call('POST', '/v1/consents/lookup', { token: a, body: { to } })).body));
    const byBody = await call('POST', '/v1/subjects/export', { token: a, body: { to } });
    expect(byBody.body.verifications).toHaveLength(1);
    const byPath = (await call('GET', `/v1/subjects/${enc(to)}/export`, { token: a })).body;
    const ids = (b: Record<string, unknown>) => [(b.verifications as { id?: string; verificationId?: string }[]).map((v) => v.id ?? v.verificationId), (b.consentHistory as unknown[]).length];
    expect(ids(byPath)).toEqual(ids(byBody.body));
    const search = (await call('POST', '/v1/audit/search', { token: a, body: { to, limit: 1 } })).body;
    expect(search.events).toHaveLength(1);
    expect((await call('GET', `/v1/audit?to=${enc(to)}&limit=1`, { token: a })).body.events).toEqual(search.events);
    for (const [path, body] of [['/v1/subjects/erase', { to: 'nope' }], ['/v1/subjects/erase', {}], ['/v1/subjects/erase', { to, extra: 1 }], ['/v1/consents/lookup', { phone: to }], ['/v1/audit/search', { limit: 0 }]] as const) {
      const bad = await call('POST', path, { token: a, body });
      expect(bad.status, path).toBe(400);
      expect(bad.headers.get('content-type')).toMatch(/problem\+json/);
      expect(bad.text).not.toContain(to.slice(1));
    }
    // Nothing was erased by the refused requests.
    expect((await call('POST', '/v1/subjects/export', { token: a, body: { to } })).body.verifications).toHaveLength(1);
  });
});

describe('audit under load', () => {
  it('64 concurrent clients issue and verify: no 5xx, one event per accepted action, intact once sealed', async () => {
    const pairs = await Promise.all(Array.from({ length: 64 }, async (_, i) => {
      const to = randomUkMobile();
      const headers = { 'X-Forwarded-For': `198.51.100.${i + 1}` };
      const issued = await call('POST', '/v1/otp', { token: a, body: { to }, headers });
      const id = issued.body.verificationId as string;
      const code = (await outbox(to)).at(-1)!.text.match(/\b(\d{6})\b/)![1]!;
      const verified = await call('POST', `/v1/otp/${id}/verify`, { token: a, body: { code }, headers });
      return { to, id, statuses: [issued.status, verified.status] };
    }));
    expect(pairs.flatMap((p) => p.statuses).filter((s) => s >= 500)).toEqual([]);
    expect(pairs.every((p) => p.statuses[0] === 201 && p.statuses[1] === 200)).toBe(true);
    // Each SMS's delivery receipt (the outbox delivers after about a second, later on a loaded
    // machine) is an event too: wait for all of them, then seal.
    const trailOf = async (to: string) => (await call('GET', `/v1/audit?to=${enc(to)}`, { token: a })).body.events as { action: string; outcome: string; seal?: string }[];
    // Other test files text on this stack meanwhile: wait for these numbers' receipts only (a
    // receipt's event commits with the verification's delivery status, which GET /v1/otp shows).
    const delivered = async () => (await Promise.all(pairs.map(async (p) => ((await call('GET', `/v1/otp/${p.id}`, { token: a })).body.delivery as { status: string }).status))).every((s) => s === 'delivered');
    for (let i = 0; i < 60 && !(await delivered()); i++) await new Promise((r) => setTimeout(r, 500));
    await fetch(`${baseUrl}/_local/audit/seal`, { method: 'POST' });
    for (const p of pairs) {
      const events = await trailOf(p.to);
      const trail = events.map((e) => `${e.action}:${e.outcome}`);
      expect(trail.filter((e) => !e.startsWith('delivery.receipt:'))).toEqual(['otp.issue:pending', 'otp.verify:approved']);
      expect(trail.filter((e) => e.startsWith('delivery.receipt:'))).toEqual(['delivery.receipt:delivered::sms']);
      expect(events.every((e) => e.seal)).toBe(true);
    }
    expect((await call('GET', '/v1/audit/verify', { token: a })).body).toMatchObject({ intact: true });
  }, 90_000);
});
