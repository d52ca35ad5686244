import { createHash } from 'node:crypto';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { localDynamoClient } from '../../infra/local/dynamodb.ts';
import { IssueOtpRequest } from '#shared/otp/schemas';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { randomUkMobile } from '../support/phones.ts';
import { call, clients, lastCode, outbox, expectNoSecretsLeaked, tokenFor } from './client.ts';

/** The OTP contract of API.md, over HTTP against the local stack. */
const secrets: string[] = [];
const phone = () => {
  const to = randomUkMobile();
  secrets.push(to.slice(1));
  return to;
};
const code = async (to: string) => {
  const c = await lastCode(to);
  secrets.push(c);
  return c;
};

let a: string; // client A, every scope
let b: string; // client B, every scope
beforeAll(async () => {
  [a, b] = await Promise.all([tokenFor(clients[0]!), tokenFor(clients[1]!)]);
});

describe('POST /v1/otp → verify', () => {
  it('issues, texts and approves a code once', async () => {
    const to = phone();
    const issued = await call('POST', '/v1/otp', { token: a, body: { to, brand: 'Acme Bank' } });
    expect(issued.status).toBe(201);
    expect(issued.body).toMatchObject({ status: 'pending', channel: 'sms', purpose: 'login', sendsRemaining: 4, to: `${to.slice(0, 5)}******${to.slice(-2)}` });
    expect(issued.headers.get('cache-control')).toBe('no-store');
    const id = issued.body.verificationId as string;
    // 128 random bits, then the destination's country and its range's keyed tag (the right-code path reads nothing else).
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}GB[A-Za-z0-9_-]{8}$/);

    const [sms] = await outbox(to);
    expect(sms!.text).toMatch(/^Acme Bank: \d{6} is your sign-in code/);

    const ok = await call('POST', `/v1/otp/${id}/verify`, { token: a, body: { code: await code(to) } });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ verificationId: id, status: 'approved' });
    const again = await call('POST', `/v1/otp/${id}/verify`, { token: a, body: { code: await code(to) } });
    expect(again.status).toBe(410);
    expect(again.body.code).toBe('already_approved');

    const view = await call('GET', `/v1/otp/${id}`, { token: a });
    expect(view.body).toMatchObject({ status: 'approved', attempts: 0, sends: 1 });
    expect(Object.keys(view.body)).not.toContain('codeHash');
  });

  it('answers a wrong code with 422 and the remaining attempts, the fifth with 410', async () => {
    const to = phone();
    const id = (await call('POST', '/v1/otp', { token: a, body: { to } })).body.verificationId as string;
    const right = await code(to);
    const wrong = right === '000000' ? '111111' : '000000';
    for (const remaining of [4, 3, 2, 1]) {
      const res = await call('POST', `/v1/otp/${id}/verify`, { token: a, body: { code: wrong } });
      expect(res.status).toBe(422);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(res.body).toMatchObject({ code: 'invalid_code', remainingAttempts: remaining });
    }
    const last = await call('POST', `/v1/otp/${id}/verify`, { token: a, body: { code: wrong } });
    expect(last.status).toBe(410);
    expect(last.body.code).toBe('max_attempts_reached');
    expect((await call('GET', `/v1/otp/${id}`, { token: a })).body.status).toBe('max_attempts_reached');
  });

  it('binds a transaction code to amount, currency and payee', async () => {
    const to = phone();
    const transaction = { amount: '120.50', currency: 'EUR', payee: 'ACME Ltd' };
    const id = (await call('POST', '/v1/otp', { token: a, body: { to, purpose: 'transaction', transaction } })).body.verificationId as string;
    expect((await outbox(to))[0]!.text).toContain('120.50 EUR to ACME Ltd');
    const c = await code(to);
    expect((await call('POST', `/v1/otp/${id}/verify`, { token: a, body: { code: c, transaction: { ...transaction, payee: 'Mallory' } } })).status).toBe(422);
    expect((await call('POST', `/v1/otp/${id}/verify`, { token: a, body: { code: c, transaction } })).status).toBe(200);
  });
});

describe('resend and cancel', () => {
  it('refuses a resend within 30 s with 429 and Retry-After', async () => {
    const to = phone();
    const id = (await call('POST', '/v1/otp', { token: a, body: { to } })).body.verificationId as string;
    const res = await call('POST', `/v1/otp/${id}/resend`, { token: a });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(25);
    expect(res.body.code).toBe('rate_limited');
    expect(await outbox(to)).toHaveLength(1);
  });

  it('cancels a pending verification; then its code and a second cancel get 410', async () => {
    const to = phone();
    const id = (await call('POST', '/v1/otp', { token: a, body: { to } })).body.verificationId as string;
    expect((await call('DELETE', `/v1/otp/${id}`, { token: a })).body).toEqual({ status: 'canceled' });
    expect((await call('DELETE', `/v1/otp/${id}`, { token: a })).status).toBe(410);
    const verify = await call('POST', `/v1/otp/${id}/verify`, { token: a, body: { code: await code(to) } });
    expect(verify.body).toMatchObject({ status: 410, code: 'canceled' });
  });
});

describe('authentication and ownership', () => {
  it('answers 401 without a token, with a forged one, and 403 without the scope', async () => {
    expect((await call('POST', '/v1/otp', { body: { to: phone() } })).status).toBe(401);
    const forged = `${a.slice(0, -4)}AAAA`;
    expect((await call('POST', '/v1/otp', { token: forged, body: { to: phone() } })).status).toBe(401);
    const verifyOnly = await tokenFor(clients[0]!, 'p2a/otp.verify');
    const res = await call('POST', '/v1/otp', { token: verifyOnly, body: { to: phone() } });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('insufficient_scope');
  });

  it("answers another client's id exactly as an unknown id, and changes nothing", async () => {
    const to = phone();
    const id = (await call('POST', '/v1/otp', { token: a, body: { to } })).body.verificationId as string;
    const c = await code(to);
    const theirs = await call('POST', `/v1/otp/${id}/verify`, { token: b, body: { code: c } });
    const unknown = await call('POST', '/v1/otp/AAAAAAAAAAAAAAAAAAAAAA/verify', { token: b, body: { code: c } });
    expect(theirs.status).toBe(404);
    expect(theirs.body).toEqual(unknown.body);
    for (const [method, path] of [['GET', `/v1/otp/${id}`], ['DELETE', `/v1/otp/${id}`], ['POST', `/v1/otp/${id}/resend`]] as const) {
      expect((await call(method, path, { token: b })).status).toBe(404);
    }
    expect((await call('GET', `/v1/otp/${id}`, { token: a })).body).toMatchObject({ status: 'pending', attempts: 0 });
  });
});

describe('bad input changes nothing', () => {
  it('answers 400 naming the fields for unknown fields, bad numbers and out-of-range values', async () => {
    const to = phone();
    const unknown = await call('POST', '/v1/otp', { token: a, body: { to, admin: true } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.code).toBe('validation_failed');
    const bad = await call('POST', '/v1/otp', { token: a, body: { to: '+447700900123', codeLength: 4, ttlSeconds: 9999 } });
    expect(bad.status).toBe(400);
    const paths = (bad.body.errors as { path: string }[]).map((e) => e.path).sort();
    expect(paths).toEqual(['codeLength', 'ttlSeconds']);
    const unreal = await call('POST', '/v1/otp', { token: a, body: { to: '+447700900123' } });
    expect(unreal.body).toMatchObject({ status: 400, errors: [{ path: 'to' }] });
    expect(unreal.text).not.toContain('447700900123');
    expect(await outbox(to)).toHaveLength(0);
  });

  it('answers 413 to a body over 16 KiB, 415 to non-JSON, 400 to malformed JSON', async () => {
    expect((await call('POST', '/v1/otp', { token: a, raw: JSON.stringify({ to: phone(), brand: 'x'.repeat(17_000) }) })).status).toBe(413);
    expect((await call('POST', '/v1/otp', { token: a, raw: 'to=1', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } })).status).toBe(415);
    expect((await call('POST', '/v1/otp', { token: a, raw: '{"to":' })).body.code).toBe('malformed_json');
  });

  it('refuses a country off the allow list and a premium-rate number with 403 before sending', async () => {
    const de = await call('POST', '/v1/otp', { token: a, body: { to: '+61412345678' } });
    expect(de.body).toMatchObject({ status: 403, code: 'destination_not_allowed' });
    const premium = await call('POST', '/v1/otp', { token: a, body: { to: '+449098790123' } });
    expect(premium.body).toMatchObject({ status: 403, code: 'destination_not_allowed' });
    expect(await outbox('+449098790123')).toHaveLength(0);
  });
});

describe('limits and idempotency', () => {
  it('allows 5 issues per number per 10 minutes, then 429 with Retry-After', async () => {
    const to = phone();
    for (let i = 0; i < 5; i++) expect((await call('POST', '/v1/otp', { token: a, body: { to } })).status).toBe(201);
    const res = await call('POST', '/v1/otp', { token: b, body: { to } });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(res.body).toMatchObject({ code: 'rate_limited', limit: 'phoneShort' });
    expect(await outbox(to)).toHaveLength(5);
  });

  it('replays the first answer for a repeated Idempotency-Key and sends one SMS; another body is 409', async () => {
    const to = phone();
    const headers = { 'Idempotency-Key': `key-${Math.random()}` };
    const first = await call('POST', '/v1/otp', { token: a, body: { to }, headers });
    const second = await call('POST', '/v1/otp', { token: a, body: { to }, headers });
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(await outbox(to)).toHaveLength(1);
    const other = await call('POST', '/v1/otp', { token: a, body: { to, codeLength: 8 }, headers });
    expect(other.status).toBe(409);
    expect(other.body.code).toBe('idempotency_key_reused');
    // The key is per client: client B's identical request is its own.
    expect((await call('POST', '/v1/otp', { token: b, body: { to }, headers })).body.verificationId).not.toBe(first.body.verificationId);
    expect(await outbox(to)).toHaveLength(2);

    // The records hold no unkeyed hash of the request or the key (Powertools' MD5 of what it is
    // given would give the number back from 10^6 candidates), and no number.
    const doc = DynamoDBDocumentClient.from(localDynamoClient(inject('stackDynamoEndpoint')));
    const items = (await doc.send(new ScanCommand({ TableName: 'sealtext-local-idempotency' }))).Items ?? [];
    expect(items.length).toBeGreaterThan(0);
    // Powertools keeps MD5 (base64) of JSON.stringify of what it is given: the parsed request (defaults
    // filled in) and the key. Those are what an attacker would recompute from 10^6 candidate numbers.
    const md5 = (s: string) => [createHash('md5').update(s).digest('base64'), createHash('md5').update(s).digest('hex')];
    const unkeyed = [{ to }, IssueOtpRequest.parse({ to })].flatMap((req) => md5(JSON.stringify(req)))
      .concat(md5(JSON.stringify(`${clients[0]!.clientId}:issue-otp:${headers['Idempotency-Key']}`)));
    const stored = JSON.stringify(items);
    for (const h of unkeyed) expect(stored).not.toContain(h);
    expect(stored).not.toContain(to.slice(1));
    expect(stored).not.toContain(headers['Idempotency-Key']);
  });
});

afterAll(() => {
  // No answer and no log line ever shows a full number or a code.
  expectNoSecretsLeaked(secrets, { atLeast: 10, match: { logs: 'word', answers: 'word' } });
});
