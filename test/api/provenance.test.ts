import { beforeAll, describe, expect, it } from 'vitest';
import { randomUkMobile } from '../support/phones.ts';
import { call, clients, outbox, tokenFor } from './client.ts';

/** POST /v1/provenance over HTTP: support asks whether a forwarded text was ours. */
let a: string;
beforeAll(async () => {
  a = await tokenFor(clients[0]!);
});

describe('POST /v1/provenance', () => {
  it('says which client sent a forwarded code and when, and that a look-alike was not ours', async () => {
    const to = randomUkMobile();
    const issued = await call('POST', '/v1/otp', { token: a, body: { to, brand: 'Acme Bank' } });
    const text = (await outbox(to)).at(-1)!.text;
    const ours = await call('POST', '/v1/provenance', { token: a, body: { to, text: `${text}\n` } });
    expect(ours.status).toBe(200);
    expect(ours.body).toEqual({ sentByUs: true, kind: 'otp', id: issued.body.verificationId, clientId: clients[0]!.clientId, sentAt: expect.any(String) });
    // The answer never repeats the text or the number.
    expect(ours.text).not.toContain(to.slice(1));
    expect(ours.text).not.toMatch(/\b\d{6}\b/);
    const fake = await call('POST', '/v1/provenance', { token: a, body: { to, text: 'Acme Bank: your account is locked, call +447700900123' } });
    expect(fake.body).toEqual({ sentByUs: false });
  });

  it('needs p2a/audit.read and a valid number, changing nothing', async () => {
    const otpOnly = await tokenFor(clients[0]!, 'p2a/otp.send');
    expect((await call('POST', '/v1/provenance', { token: otpOnly, body: { to: randomUkMobile(), text: 'x' } })).status).toBe(403);
    const bad = await call('POST', '/v1/provenance', { token: a, body: { to: 'nope', text: 'x' } });
    expect(bad.status).toBe(400);
    expect((await call('POST', '/v1/provenance', { token: a, body: { to: randomUkMobile(), text: '' } })).status).toBe(400);
  });
});
