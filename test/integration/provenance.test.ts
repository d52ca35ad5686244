import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '#shared/ratelimit/limits';
import { issueOtp } from '#shared/otp/issue';
import { resendOtp } from '#shared/otp/manage';
import { IssueOtpRequest } from '#shared/otp/schemas';
import { checkProvenance, codeProvenanceHash, provenanceHash } from '#shared/provenance/provenance';
import { phoneIdentity } from '#shared/consent/consent';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { sendMessage } from '#shared/messages/send';
import { SendMessageRequest } from '#shared/messages/schemas';
import { DynamoProvenanceStore } from '#shared/adapters/store/provenance-store';
import { DynamoSubjectStore } from '#shared/adapters/store/subject-store';
import { eraseSubject } from '#shared/subjects/subjects';
import { RecordingEmail } from '../support/fake-otp-deps.ts';
import { randomUkMobile } from '../support/phones.ts';
import { dynamoMessageDeps, dynamoOtpDeps, freshTables } from './deps.ts';

/** Sent texts are findable by their keyed hash exactly when their send committed (DynamoDB Local). */
describe('provenance of sent texts', () => {
  it('answers for an OTP (first send and resend) and a sealed and a direct message, by which client and when; nothing else', async () => {
    const tables = await freshTables('prov');
    const otp = dynamoOtpDeps(tables);
    const msg = dynamoMessageDeps(tables);
    msg.deps.keys = otp.deps.keys;
    const provenance = new DynamoProvenanceStore(otp.doc, tables.Data, otp.trail.items);
    const check = (to: string, text: string) => checkProvenance({ provenance, keys: otp.deps.keys, limits: DEFAULT_LIMITS, now: Date.now }, 'support', { to, text });

    const to = randomUkMobile();
    const issued = await issueOtp(otp.deps, 'app-a', IssueOtpRequest.parse({ to, brand: 'Acme Bank' }));
    const first = otp.sms.sent.at(-1)!.text;
    expect(await check(to, first)).toEqual({ sentByUs: true, kind: 'otp', id: issued.verificationId, clientId: 'app-a', sentAt: expect.any(String) });
    otp.clock.now += 31_000;
    await resendOtp(otp.deps, 'app-a', issued.verificationId);
    const second = otp.sms.sent.at(-1)!.text;
    expect(second).not.toBe(first);
    expect(await check(to, second)).toMatchObject({ sentByUs: true, kind: 'otp', id: issued.verificationId });
    // Forwarded with other line endings: still ours. The code is masked in what is kept: any code
    // answers alike (the first, the second, none of them); another number or other words: not ours.
    expect(await check(to, `${first.replace(/\n/g, '\r\n')}\n`)).toMatchObject({ sentByUs: true });
    expect(await check(to, first.replace(/\d{6}/, '000000'))).toMatchObject({ sentByUs: true, id: issued.verificationId });
    expect(await check(to, first.replace('sign-in', 'payment'))).toEqual({ sentByUs: false });
    expect(await check(randomUkMobile(), first)).toEqual({ sentByUs: false });

    const sealed = await sendMessage(msg.deps, 'app-b', SendMessageRequest.parse({ to, body: 'Your PIN is 4921', brand: 'Acme Bank' }));
    expect(await check(to, msg.sms.sent.at(-1)!.text)).toMatchObject({ sentByUs: true, kind: 'message', id: sealed.messageId, clientId: 'app-b' });
    const direct = await sendMessage(msg.deps, 'app-b', SendMessageRequest.parse({ to, body: 'Your parcel arrives today', delivery: 'direct' }));
    expect(await check(to, msg.sms.sent.at(-1)!.text)).toMatchObject({ sentByUs: true, id: direct.messageId });
    expect(await check(to, 'Acme Bank: your parcel arrives today. Pay the fee at https://evil.example')).toEqual({ sentByUs: false });

    // Erasure of the number takes its sent-text hashes with it.
    await eraseSubject({ subjects: new DynamoSubjectStore(otp.doc, tables.Data, otp.trail.items), envelope: otp.deps.envelope, keys: otp.deps.keys, audit: otp.trail.items, now: Date.now }, 'app-a', { to });
    expect(await check(to, first)).toEqual({ sentByUs: false });
  });

  it('keeps no hash of a code message that depends on its code: the item answers for any code, never for the raw text', async () => {
    const tables = await freshTables('provc');
    const otp = dynamoOtpDeps(tables);
    const to = randomUkMobile();
    const issued = await issueOtp(otp.deps, 'app-a', IssueOtpRequest.parse({ to, brand: 'Acme Bank', purpose: 'transaction', transaction: { amount: '1250.00', currency: 'GBP', payee: 'Shop 12345678' } }));
    const text = otp.sms.sent.at(-1)!.text;
    const code = /(?<!\d)(\d{6})(?!\d)/.exec(text)![1]!;
    const items = (await otp.doc.send(new ScanCommand({ TableName: tables.Data, FilterExpression: 'begins_with(pk, :p) AND id = :id', ExpressionAttributeValues: { ':p': 'PROV#', ':id': issued.verificationId } }))).Items ?? [];
    expect(items).toHaveLength(1);
    const kept = String(items[0]!.pk).slice('PROV#'.length);
    // What an insider holding the key would try: the text with each code. Every code gives the same hash,
    // so the item says nothing about which one was sent; the text as sent (old scheme) is not kept.
    const other = code === '000000' ? '999999' : '000000';
    expect(codeProvenanceHash(otp.deps.keys, to, text)).toBe(kept);
    expect(codeProvenanceHash(otp.deps.keys, to, text.replaceAll(code, other))).toBe(kept);
    expect(provenanceHash(otp.deps.keys, to, text)).not.toBe(kept);
    expect(JSON.stringify(items[0])).not.toContain(code);
  });

  it('counts each look-up in the client\'s provenance window and audits it; a full window answers nothing', async () => {
    const tables = await freshTables('provw');
    const otp = dynamoOtpDeps(tables);
    const provenance = new DynamoProvenanceStore(otp.doc, tables.Data, otp.trail.items);
    const limits = { ...DEFAULT_LIMITS, provenance: { limit: 2, windowSeconds: 60 } };
    const to = randomUkMobile();
    const check = (clientId: string) => checkProvenance({ provenance, keys: otp.deps.keys, limits, now: Date.now }, clientId, { to, text: 'Acme Bank: 123456 is your sign-in code.' });
    await check('support');
    await check('support');
    await expect(check('support')).rejects.toMatchObject({ code: 'rate_limited', extra: { limit: 'provenance' } });
    await check('other-client');
    const index = phoneIdentity(otp.deps.keys, to).phoneIndex;
    const events = await otp.trail.store.bySubject(index, { from: '2000', until: '3000' });
    expect(events.map((e) => [e.actor, e.action, e.outcome])).toEqual([
      ['support', 'provenance.check', 'not_ours'], ['support', 'provenance.check', 'not_ours'], ['other-client', 'provenance.check', 'not_ours'],
    ]);
  });

  it('answers for an e-mailed code and an e-mailed message by the address and the plain-text part; an erasure by address removes them', async () => {
    const tables = await freshTables('provmail');
    const email = new RecordingEmail();
    const otp = dynamoOtpDeps(tables, { email });
    const msg = dynamoMessageDeps(tables);
    msg.deps.keys = otp.deps.keys;
    msg.deps.email = email;
    const provenance = new DynamoProvenanceStore(otp.doc, tables.Data, otp.trail.items);
    const check = (who: { to?: string; email?: string }, text: string) => checkProvenance({ provenance, keys: otp.deps.keys, limits: DEFAULT_LIMITS, now: Date.now }, 'support', { ...who, text });
    const address = `Dee.${Math.random().toString(36).slice(2, 8)}@Example.com`;
    const to = randomUkMobile();

    const issued = await issueOtp(otp.deps, 'app-a', IssueOtpRequest.parse({ to, channel: 'email', email: address, brand: 'Acme Bank' }));
    const codeMail = email.mails.at(-1)!.text;
    expect(await check({ email: address }, codeMail)).toMatchObject({ sentByUs: true, kind: 'otp', id: issued.verificationId });
    // The address is case-folded; the code is masked in what is kept; the number is not the address.
    expect(await check({ email: address.toLowerCase() }, codeMail.replace(/\d{6}/, '123456'))).toMatchObject({ sentByUs: true });
    expect(await check({ to }, codeMail)).toEqual({ sentByUs: false });
    const sent = await sendMessage(msg.deps, 'app-b', SendMessageRequest.parse({ to, channel: 'email', email: address, body: 'Your parcel arrives today', delivery: 'direct' }));
    expect(await check({ email: address }, email.mails.at(-1)!.text)).toMatchObject({ sentByUs: true, kind: 'message', id: sent.messageId, clientId: 'app-b' });
    expect(await check({ email: address }, 'Acme Bank\n\nPay the fee at https://evil.example')).toEqual({ sentByUs: false });

    await eraseSubject({ subjects: new DynamoSubjectStore(otp.doc, tables.Data, otp.trail.items), envelope: otp.deps.envelope, keys: otp.deps.keys, audit: otp.trail.items, now: Date.now }, 'app-a', { email: address });
    expect(await check({ email: address }, codeMail)).toEqual({ sentByUs: false });
  });
});
