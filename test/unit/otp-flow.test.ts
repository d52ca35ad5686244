import { describe, expect, it } from 'vitest';
import { issueOtp } from '#shared/otp/issue';
import { cancelOtp, getOtp, resendOtp } from '#shared/otp/manage';
import { IssueOtpRequest } from '#shared/otp/schemas';
import { verifyOtp } from '#shared/otp/verify';
import { SmsRejected } from '#shared/sms/sender';
import { fakeOtpDeps } from '../support/fake-otp-deps.ts';

const TO = '+447400123456';
const issue = (deps: Parameters<typeof issueOtp>[0], body: Record<string, unknown> = {}, client = 'app-a') =>
  issueOtp(deps, client, IssueOtpRequest.parse({ to: TO, brand: 'Acme Bank', ...body }));

describe('issue and verify', () => {
  it('texts a code that approves the verification exactly once', async () => {
    // Prepare
    const { deps, sms } = fakeOtpDeps();
    const issued = await issue(deps);
    // Act
    const approved = await verifyOtp(deps, 'app-a', issued.verificationId, { code: sms.lastCode(TO) });
    // Assess
    expect(issued).toMatchObject({ status: 'pending', to: '+4474******56', channel: 'sms', sendsRemaining: 4 });
    expect(approved.status).toBe('approved');
    await expect(verifyOtp(deps, 'app-a', issued.verificationId, { code: sms.lastCode(TO) })).rejects.toMatchObject({
      status: 410, code: 'already_approved',
    });
  });

  it('stores neither the code nor the number in clear', async () => {
    const { deps, store, sms } = fakeOtpDeps();
    const { verificationId } = await issue(deps);
    const stored = JSON.stringify(store.items.get(verificationId));
    expect(stored).not.toContain(sms.lastCode(TO));
    expect(stored).not.toContain(TO.slice(1));
  });

  it('writes the SMS with brand, code, expiry and a do-not-share warning', async () => {
    const { deps, sms } = fakeOtpDeps({ webDomain: 'acme.example' });
    await issue(deps, { ttlSeconds: 600 });
    const text = sms.sent[0]!.text;
    const code = sms.lastCode(TO);
    expect(text).toContain('Acme Bank');
    expect(text).toContain('10 min');
    expect(text).toMatch(/never share/i);
    expect(text.split('\n').at(-1)).toBe(`@acme.example #${code}`);
  });

  it('counts wrong codes and closes on the last attempt with 410', async () => {
    const { deps } = fakeOtpDeps();
    const { verificationId } = await issue(deps);
    for (const remaining of [4, 3, 2, 1]) {
      await expect(verifyOtp(deps, 'app-a', verificationId, { code: '000000' })).rejects.toMatchObject({
        status: 422, code: 'invalid_code', extra: { remainingAttempts: remaining },
      });
    }
    await expect(verifyOtp(deps, 'app-a', verificationId, { code: '000000' })).rejects.toMatchObject({ status: 410, code: 'max_attempts_reached' });
  });

  it('refuses the right code after expiry, by the server clock', async () => {
    const { deps, sms, clock } = fakeOtpDeps();
    const { verificationId } = await issue(deps, { ttlSeconds: 60 });
    clock.now += 60_000;
    await expect(verifyOtp(deps, 'app-a', verificationId, { code: sms.lastCode(TO) })).rejects.toMatchObject({ status: 410, code: 'expired' });
    expect((await getOtp(deps, 'app-a', verificationId)).status).toBe('expired');
  });

  it('answers 404 to another client, for verify, get, resend and cancel alike', async () => {
    const { deps, sms } = fakeOtpDeps();
    const { verificationId } = await issue(deps);
    const code = sms.lastCode(TO);
    await expect(verifyOtp(deps, 'app-b', verificationId, { code })).rejects.toMatchObject({ status: 404, code: 'not_found' });
    await expect(getOtp(deps, 'app-b', verificationId)).rejects.toMatchObject({ status: 404 });
    await expect(resendOtp(deps, 'app-b', verificationId)).rejects.toMatchObject({ status: 404 });
    await expect(cancelOtp(deps, 'app-b', verificationId)).rejects.toMatchObject({ status: 404 });
    // And nothing about it changed: the owner can still verify.
    expect((await verifyOtp(deps, 'app-a', verificationId, { code })).status).toBe('approved');
  });
});

describe('transaction binding', () => {
  const transaction = { amount: '120.50', currency: 'EUR', payee: 'ACME Ltd' };

  it('names amount and payee in the SMS and approves only with the same transaction', async () => {
    const { deps, sms } = fakeOtpDeps();
    const { verificationId } = await issue(deps, { purpose: 'transaction', transaction });
    expect(sms.sent[0]!.text).toContain('120.50 EUR to ACME Ltd');
    const code = sms.lastCode(TO);
    await expect(verifyOtp(deps, 'app-a', verificationId, { code, transaction: { ...transaction, amount: '999.00' } })).rejects.toMatchObject({ status: 422 });
    await expect(verifyOtp(deps, 'app-a', verificationId, { code })).rejects.toMatchObject({ status: 422 });
    expect((await verifyOtp(deps, 'app-a', verificationId, { code, transaction: { ...transaction, amount: '120.5' } })).status).toBe('approved');
  });

  it('is required for purpose transaction and refused for any other purpose', () => {
    expect(IssueOtpRequest.safeParse({ to: TO, purpose: 'transaction' }).success).toBe(false);
    expect(IssueOtpRequest.safeParse({ to: TO, transaction }).success).toBe(false);
  });
});

describe('resend', () => {
  it('replaces the code, keeps the attempts and restarts the expiry', async () => {
    const { deps, sms, clock } = fakeOtpDeps();
    const { verificationId } = await issue(deps, { purpose: 'transaction', transaction: { amount: '5', currency: 'GBP', payee: 'Shop' } });
    const first = sms.lastCode(TO);
    await expect(verifyOtp(deps, 'app-a', verificationId, { code: '000000', transaction: { amount: '5', currency: 'GBP', payee: 'Shop' } })).rejects.toMatchObject({ status: 422 });
    clock.now += 30_000;
    const resent = await resendOtp(deps, 'app-a', verificationId);
    const second = sms.lastCode(TO);
    expect(sms.sent).toHaveLength(2);
    expect(sms.sent[1]!.text).toContain('5 GBP to Shop');
    expect(resent.sendsRemaining).toBe(3);
    expect(Date.parse(resent.expiresAt)).toBe(clock.now + 300_000);
    const view = await getOtp(deps, 'app-a', verificationId);
    expect(view).toMatchObject({ attempts: 1, sends: 2 });
    if (first !== second) {
      await expect(verifyOtp(deps, 'app-a', verificationId, { code: first, transaction: { amount: '5', currency: 'GBP', payee: 'Shop' } })).rejects.toMatchObject({ status: 422 });
    }
    expect((await verifyOtp(deps, 'app-a', verificationId, { code: second, transaction: { amount: '5', currency: 'GBP', payee: 'Shop' } })).status).toBe('approved');
  });

  it('waits 30 s between sends and stops after 5 sends, with Retry-After', async () => {
    const { deps, clock } = fakeOtpDeps();
    const { verificationId } = await issue(deps);
    await expect(resendOtp(deps, 'app-a', verificationId)).rejects.toMatchObject({ status: 429, headers: { 'Retry-After': '30' } });
    for (let i = 0; i < 4; i++) {
      clock.now += 30_000;
      await resendOtp(deps, 'app-a', verificationId);
    }
    clock.now += 30_000;
    await expect(resendOtp(deps, 'app-a', verificationId)).rejects.toMatchObject({ status: 429, code: 'rate_limited' });
  });
});

describe('cancel', () => {
  it('cancels a pending verification once; its code stops working', async () => {
    const { deps, sms } = fakeOtpDeps();
    const { verificationId } = await issue(deps);
    expect(await cancelOtp(deps, 'app-a', verificationId)).toEqual({ status: 'canceled' });
    await expect(cancelOtp(deps, 'app-a', verificationId)).rejects.toMatchObject({ status: 410, code: 'canceled' });
    await expect(verifyOtp(deps, 'app-a', verificationId, { code: sms.lastCode(TO) })).rejects.toMatchObject({ status: 410, code: 'canceled' });
  });
});

describe('delivery and limits', () => {
  it('ends the verification as failed and answers 502 when the provider refuses', async () => {
    const { deps, sms, store } = fakeOtpDeps();
    sms.failWith = new Error('provider down');
    await expect(issue(deps)).rejects.toMatchObject({ status: 502, code: 'delivery_failed' });
    expect([...store.items.values()][0]!.status).toBe('failed');
  });

  it('turns a carrier opt-out reported by SNS into 403 recipient_opted_out and records it', async () => {
    const { deps, sms, consent } = fakeOtpDeps();
    sms.failWith = new SmsRejected('opted_out');
    await expect(issue(deps)).rejects.toMatchObject({ status: 403, code: 'recipient_opted_out' });
    const [record] = [...consent.records.values()];
    expect(record).toMatchObject({ optedOutAll: true });
    expect([...consent.history.values()][0]![0]).toMatchObject({ actor: 'system', source: 'carrier_opt_out', category: 'all', status: 'opted_out' });
  });

  it('refuses a country off the allow list before writing or sending anything', async () => {
    const { deps, sms, store } = fakeOtpDeps({ allowedCountries: new Set(['US']) });
    await expect(issue(deps)).rejects.toMatchObject({ status: 403, code: 'destination_not_allowed' });
    expect(sms.sent).toHaveLength(0);
    expect(store.items.size).toBe(0);
  });

  it('allows 5 issues per number per 10 minutes, then 429 until the window ends', async () => {
    const { deps, clock, sms } = fakeOtpDeps();
    clock.now = Date.parse('2026-11-22T10:00:00Z');
    for (let i = 0; i < 5; i++) await issue(deps);
    await expect(issue(deps)).rejects.toMatchObject({ status: 429, headers: { 'Retry-After': '600' }, extra: { limit: 'phoneShort' } });
    expect(sms.sent).toHaveLength(5);
    clock.now += 600_000;
    await expect(issue(deps)).resolves.toMatchObject({ status: 'pending' });
  });
});
