import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { suppressionKey } from '#shared/adapters/store/consent-guard';
import { DynamoReceiptStore } from '#shared/adapters/store/receipt-store';
import { recordKey } from '#shared/adapters/store/record-keys';
import { fromSesEvent } from '#shared/delivery/provider-receipts';
import { applyReceipts } from '#shared/delivery/receipt';
import { issueOtp } from '#shared/otp/issue';
import { IssueOtpRequest } from '#shared/otp/schemas';
import { emailIndex, parseEmail } from '#shared/email/address';
import { DynamoSubjectStore } from '#shared/adapters/store/subject-store';
import { eraseSubject, exportSubject } from '#shared/subjects/subjects';
import { RecordingEmail } from '../support/fake-otp-deps.ts';
import { randomUkMobile } from '../support/phones.ts';
import { dynamoOtpDeps } from './deps.ts';
import { INTEGRATION_TABLES } from './tables.ts';

/**
 * Suppression on DynamoDB Local (issue 24): a hard bounce or a complaint of an e-mail, as SES's
 * events say it, suppresses the address by its blind index, once, with its audit event; every later
 * e-mail to it is refused inside the send's transaction like an opt-out, whichever number it rides
 * with; the suppression names no one, so an erasure (which works by subject key) leaves it.
 */
function setUp() {
  const email = new RecordingEmail();
  const ctx = dynamoOtpDeps(INTEGRATION_TABLES, { email });
  ctx.clock.now = Date.now();
  const receipts = new DynamoReceiptStore(ctx.doc, INTEGRATION_TABLES.Data, ctx.trail.items);
  const address = `ann.${Math.random().toString(36).slice(2, 10)}@example.com`;
  const ses = (eventType: string, messageId: string, extra: Record<string, unknown> = {}) =>
    fromSesEvent({ source: 'aws.ses', detail: { eventType, mail: { messageId, timestamp: new Date().toISOString() }, ...extra } })!;
  const issue = () => issueOtp(ctx.deps, 'app-a', IssueOtpRequest.parse({ to: randomUkMobile(), channel: 'email', email: address }));
  const smsIdOf = async (id: string) => String((await ctx.doc.send(new GetCommand({ TableName: INTEGRATION_TABLES.Data, Key: recordKey('otp', id), ConsistentRead: true }))).Item!.smsId);
  return { ctx, email, receipts, address, ses, issue, smsIdOf };
}

describe('e-mail suppression (DynamoDB Local)', () => {
  it('a hard bounce fails the receipt, suppresses the address once with its event, and refuses every later e-mail to it', async () => {
    const { ctx, email, receipts, ses, issue, smsIdOf } = setUp();
    const first = await issue();
    const messageId = await smsIdOf(first.verificationId);
    const bounce = ses('Bounce', messageId, { bounce: { bounceType: 'Permanent' } });
    expect(await applyReceipts({ receipts }, [bounce, bounce])).toMatchObject({ applied: 1, undelivered: 1, undelivered_email: 1 });
    expect((await ctx.store.get(first.verificationId))!.receipt).toMatchObject({ status: 'failed', errorCode: 'bounced' });
    const stored = (await ctx.store.get(first.verificationId))!;
    const suppression = (await ctx.doc.send(new GetCommand({ TableName: INTEGRATION_TABLES.Data, Key: suppressionKey(stored.emailIndex!), ConsistentRead: true }))).Item;
    expect(suppression).toMatchObject({ reason: 'bounced' });
    // Nothing in it names a person or files it under a subject: an erasure (by subject key) leaves it.
    expect(Object.keys(suppression!).sort()).toEqual(['at', 'pk', 'reason', 'sk']);
    const events = await ctx.trail.store.eventsBetween(ctx.clock.now - 60_000, Date.now() + 1_000);
    expect(events.filter((e) => e.action === 'email.suppress' && e.resource === first.verificationId)).toMatchObject([{ outcome: 'bounced', subjectMask: 'a***@example.com' }]);
    const sent = email.mails.length;
    await expect(issue()).rejects.toMatchObject({ code: 'recipient_opted_out' });
    expect(email.mails).toHaveLength(sent);
  });

  it('a complaint leaves the delivered receipt as it is and suppresses the address', async () => {
    const { ctx, receipts, ses, issue, smsIdOf } = setUp();
    const first = await issue();
    const messageId = await smsIdOf(first.verificationId);
    await applyReceipts({ receipts }, [ses('Delivery', messageId)]);
    const delivered = (await ctx.store.get(first.verificationId))!.receipt;
    expect(delivered).toMatchObject({ status: 'delivered' });
    expect(await applyReceipts({ receipts }, [ses('Complaint', messageId)])).toMatchObject({ applied: 0 });
    expect((await ctx.store.get(first.verificationId))!.receipt).toEqual(delivered);
    await expect(issue()).rejects.toMatchObject({ code: 'recipient_opted_out' });
  });

  it('an erasure by address removes what was sent to it and keeps the suppression: the address stays refused', async () => {
    const { ctx, receipts, ses, issue, smsIdOf, address } = setUp();
    const first = await issue();
    await applyReceipts({ receipts }, [ses('Bounce', await smsIdOf(first.verificationId), { bounce: { bounceType: 'Permanent' } })]);
    const subjects = { subjects: new DynamoSubjectStore(ctx.doc, INTEGRATION_TABLES.Data, ctx.trail.items), envelope: ctx.deps.envelope, keys: ctx.deps.keys, audit: ctx.deps.audit, now: () => Date.now() };
    const before = await exportSubject(subjects, 'app-a', { email: address });
    expect(before).toMatchObject({ email: address, verifications: [expect.objectContaining({ id: first.verificationId, sentToEmail: address })] });
    expect(await eraseSubject(subjects, 'app-a', { email: address })).toMatchObject({ erased: { verifications: 1 } });
    expect(await ctx.store.get(first.verificationId)).toBeUndefined();
    expect((await exportSubject(subjects, 'app-a', { email: address })).verifications).toEqual([]);
    const parsed = parseEmail(address);
    if (!parsed.ok) throw new Error(parsed.reason);
    const key = suppressionKey(emailIndex(ctx.deps.keys.blindIndexKey, parsed.email));
    expect((await ctx.doc.send(new GetCommand({ TableName: INTEGRATION_TABLES.Data, Key: key, ConsistentRead: true }))).Item).toMatchObject({ reason: 'bounced' });
    await expect(issue()).rejects.toMatchObject({ code: 'recipient_opted_out' });
  });
});
