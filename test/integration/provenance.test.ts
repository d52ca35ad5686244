import { describe, expect, it } from 'vitest';
import { issueOtp } from '#shared/otp/issue';
import { resendOtp } from '#shared/otp/manage';
import { IssueOtpRequest } from '#shared/otp/schemas';
import { checkProvenance } from '#shared/provenance/provenance';
import { sendMessage } from '#shared/messages/send';
import { SendMessageRequest } from '#shared/messages/schemas';
import { DynamoProvenanceStore } from '#shared/store/provenance-store';
import { DynamoSubjectStore } from '#shared/store/subject-store';
import { eraseSubject } from '#shared/subjects/subjects';
import { randomUkMobile } from '../support/phones.ts';
import { dynamoMessageDeps, dynamoOtpDeps, freshTables } from './deps.ts';

/** Sent texts are findable by their keyed hash exactly when their send committed (DynamoDB Local). */
describe('provenance of sent texts', () => {
  it('answers for an OTP (first send and resend) and a sealed and a direct message, by which client and when; nothing else', async () => {
    const tables = await freshTables('prov');
    const otp = dynamoOtpDeps(tables);
    const msg = dynamoMessageDeps(tables);
    msg.deps.keys = otp.deps.keys;
    const provenance = new DynamoProvenanceStore(otp.doc, tables.Data);
    const check = (to: string, text: string) => checkProvenance({ provenance, keys: otp.deps.keys }, { to, text });

    const to = randomUkMobile();
    const issued = await issueOtp(otp.deps, 'app-a', IssueOtpRequest.parse({ to, brand: 'Acme Bank' }));
    const first = otp.sms.sent.at(-1)!.text;
    expect(await check(to, first)).toEqual({ sentByUs: true, kind: 'otp', id: issued.verificationId, clientId: 'app-a', sentAt: expect.any(String) });
    otp.clock.now += 31_000;
    await resendOtp(otp.deps, 'app-a', issued.verificationId);
    const second = otp.sms.sent.at(-1)!.text;
    expect(second).not.toBe(first);
    expect(await check(to, second)).toMatchObject({ sentByUs: true, kind: 'otp', id: issued.verificationId });
    // Forwarded with other line endings: still ours. Another code, another number: not.
    expect(await check(to, `${first.replace(/\n/g, '\r\n')}\n`)).toMatchObject({ sentByUs: true });
    expect(await check(to, first.replace(/\d{6}/, '000000'))).toEqual({ sentByUs: false });
    expect(await check(randomUkMobile(), first)).toEqual({ sentByUs: false });

    const sealed = await sendMessage(msg.deps, 'app-b', SendMessageRequest.parse({ to, body: 'Your PIN is 4921', brand: 'Acme Bank' }));
    expect(await check(to, msg.sms.sent.at(-1)!.text)).toMatchObject({ sentByUs: true, kind: 'message', id: sealed.messageId, clientId: 'app-b' });
    const direct = await sendMessage(msg.deps, 'app-b', SendMessageRequest.parse({ to, body: 'Your parcel arrives today', delivery: 'direct' }));
    expect(await check(to, msg.sms.sent.at(-1)!.text)).toMatchObject({ sentByUs: true, id: direct.messageId });
    expect(await check(to, 'Acme Bank: your parcel arrives today. Pay the fee at https://evil.example')).toEqual({ sentByUs: false });

    // Erasure of the number takes its sent-text hashes with it.
    await eraseSubject({ subjects: new DynamoSubjectStore(otp.doc, tables.Data, otp.trail.items), envelope: otp.deps.envelope, keys: otp.deps.keys, audit: otp.trail.items, now: Date.now }, 'app-a', to);
    expect(await check(to, first)).toEqual({ sentByUs: false });
  });
});
