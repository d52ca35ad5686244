import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { getConsents, putConsent } from '#shared/consent/consent';
import { hmac } from '#shared/crypto/hmac';
import { receiveInbound } from '#shared/inbound/receive';
import { SendMessageRequest } from '#shared/messages/schemas';
import { sendMessage } from '#shared/messages/send';
import { issueOtp } from '#shared/otp/issue';
import { IssueOtpRequest } from '#shared/otp/schemas';
import { DynamoConsentStore } from '#shared/store/consent-store';
import { DynamoInboundStore } from '#shared/store/inbound-store';
import { DynamoSubjectStore } from '#shared/store/subject-store';
import { eraseSubject, exportSubject } from '#shared/subjects/subjects';
import { randomUkMobile } from '../support/phones.ts';
import { dynamoMessageDeps } from './deps.ts';
import { INTEGRATION_TABLES, TAMPER_TABLES } from './tables.ts';

function world(tables: typeof INTEGRATION_TABLES | typeof TAMPER_TABLES = INTEGRATION_TABLES) {
  const ctx = dynamoMessageDeps(tables);
  // Consent history is ordered by time: give it the real clock, so each change gets its own instant.
  const consent = { store: new DynamoConsentStore(ctx.doc, tables.Data), envelope: ctx.deps.envelope, keys: ctx.deps.keys, audit: ctx.deps.audit, now: () => Date.now() };
  const inbound = { ...consent, inbound: new DynamoInboundStore(ctx.doc, tables.Data), sms: ctx.sms, helpText: 'Acme: reply STOP to stop.', retentionDays: 30 };
  const subjects = { subjects: new DynamoSubjectStore(ctx.doc, tables.Data), envelope: ctx.deps.envelope, keys: ctx.deps.keys, audit: ctx.deps.audit, now: ctx.deps.now };
  return { ctx, consent, inbound, subjects };
}
const text = (w: ReturnType<typeof world>, from: string, body: string) =>
  receiveInbound(w.inbound, { originationNumber: from, messageBody: body, inboundMessageId: `in-${Math.random()}` });

describe('consent on DynamoDB Local', () => {
  it('promotional: refused without opt-in, sent with it, refused after STOP, still refused after START (only transactional resumes)', async () => {
    const w = world();
    const to = randomUkMobile();
    const promo = () => sendMessage(w.ctx.deps, 'app-a', SendMessageRequest.parse({ to, body: 'Sale', category: 'promotional', delivery: 'direct' }));
    const transactional = () => sendMessage(w.ctx.deps, 'app-a', SendMessageRequest.parse({ to, body: 'Receipt', delivery: 'direct' }));
    await expect(promo()).rejects.toMatchObject({ code: 'consent_required' });
    await putConsent(w.consent, 'app-a', { to, category: 'promotional', status: 'opted_in', source: 'web_form', evidence: 'ticked box', textVersion: 'v1' });
    await expect(promo()).resolves.toMatchObject({ status: 'sent' });
    await text(w, to, ' Stop ');
    await expect(transactional()).rejects.toMatchObject({ code: 'recipient_opted_out' });
    await expect(promo()).rejects.toMatchObject({ code: 'recipient_opted_out' });
    await text(w, to, 'START');
    await expect(transactional()).resolves.toMatchObject({ status: 'sent' });
    await expect(promo()).rejects.toMatchObject({ code: 'consent_required' });
    expect(w.ctx.sms.sent.filter((s) => s.to === to).map((s) => s.text)).toEqual(['Sealtext: Sale', 'Sealtext: Receipt']);

    const view = await getConsents(w.consent, to);
    expect(view.history.map((h) => `${h.actor}:${h.category}:${h.status}`)).toEqual(['app-a:promotional:opted_in', 'recipient:all:opted_out', 'recipient:all:opted_in']);
    expect(view.history[0]).toMatchObject({ evidence: 'ticked box', textVersion: 'v1', source: 'web_form' });
  });

  it('stops OTPs after STOP, before any SMS, and audits the refusal', async () => {
    const w = world();
    const to = randomUkMobile();
    await text(w, to, 'stop');
    const { DynamoVerificationStore } = await import('#shared/store/verification-store');
    const deps = { ...w.ctx.deps, store: new DynamoVerificationStore(w.ctx.doc, INTEGRATION_TABLES.Data) };
    await expect(issueOtp(deps, 'app-a', IssueOtpRequest.parse({ to }))).rejects.toMatchObject({ status: 403, code: 'recipient_opted_out' });
    expect(w.ctx.sms.sent.filter((s) => s.to === to)).toHaveLength(0);
    const index = hmac(w.ctx.deps.keys.blindIndexKey, 'phone', to);
    const events = (await Promise.all(Array.from({ length: 8 }, (_, i) => w.ctx.audit.chain(`c${i}`)))).flat().filter((e) => e.subjectIndex === index);
    expect(events.map((e) => `${e.action}:${e.outcome}`)).toEqual(['consent.change:all:opted_out', 'send.refused:recipient_opted_out']);
  });

  it('answers HELP with the help text and keeps other texts encrypted', async () => {
    const w = world();
    const to = randomUkMobile();
    await text(w, to, 'help');
    expect(w.ctx.sms.sent.at(-1)).toEqual({ to, text: 'Acme: reply STOP to stop.' });
    await text(w, to, 'Where is my parcel?');
    const raw = JSON.stringify((await w.subjects.subjects.items(hmac(w.ctx.deps.keys.blindIndexKey, 'phone', to))));
    expect(raw).not.toContain('parcel');
    expect(raw).not.toContain(to.slice(1));
  });
});

describe('audit chain on DynamoDB Local', () => {
  it('stays intact under 50 concurrent actions on one number', async () => {
    const w = world(TAMPER_TABLES);
    const to = randomUkMobile();
    await Promise.all(Array.from({ length: 50 }, (_, i) => putConsent(w.consent, 'app-a', { to, category: 'promotional', status: i % 2 ? 'opted_in' : 'opted_out', source: 'load_test' })));
    expect(await w.ctx.audit.verifyAll()).toMatchObject({ intact: true });
  });

  it('names the event that was edited, deleted or reordered', async () => {
    const w = world(TAMPER_TABLES);
    const to = randomUkMobile();
    for (let i = 0; i < 4; i++) await putConsent(w.consent, 'app-a', { to, category: 'promotional', status: 'opted_in', source: `step_${i}` });
    const index = hmac(w.ctx.deps.keys.blindIndexKey, 'phone', to);
    const { chainOf } = await import('#shared/audit/event');
    const chain = chainOf(index);
    const events = await w.ctx.audit.chain(chain);
    const mine = events.filter((e) => e.subjectIndex === index);
    const target = mine[1]!;
    const key = { chain, seq: target.seq };
    const original = (await w.ctx.doc.send(new GetCommand({ TableName: TAMPER_TABLES.Audit, Key: key }))).Item!;
    const table = TAMPER_TABLES.Audit;

    // Edit
    await w.ctx.doc.send(new PutCommand({ TableName: table, Item: { ...original, outcome: 'promotional:opted_out' } }));
    expect(await w.ctx.audit.verifyAll()).toMatchObject({ intact: false, brokenAt: target.id });
    // Delete
    await w.ctx.doc.send(new DeleteCommand({ TableName: table, Key: key }));
    expect(await w.ctx.audit.verifyAll()).toMatchObject({ intact: false, brokenAt: `${chain}-${target.seq + 1}` });
    // Reorder: put it back, then swap its content with the next event's
    await w.ctx.doc.send(new PutCommand({ TableName: table, Item: original }));
    expect(await w.ctx.audit.verifyAll()).toMatchObject({ intact: true });
    const next = (await w.ctx.doc.send(new GetCommand({ TableName: table, Key: { chain, seq: target.seq + 1 } }))).Item!;
    await w.ctx.doc.send(new PutCommand({ TableName: table, Item: { ...next, seq: target.seq } }));
    await w.ctx.doc.send(new PutCommand({ TableName: table, Item: { ...original, seq: target.seq + 1 } }));
    // The first misplaced event is named by its own id: the one now sitting in the target's place.
    expect(await w.ctx.audit.verifyAll()).toMatchObject({ intact: false, brokenAt: next.id });
    // Leave the shared table intact for the other tests.
    await w.ctx.doc.send(new PutCommand({ TableName: table, Item: original }));
    await w.ctx.doc.send(new PutCommand({ TableName: table, Item: next }));
    expect(await w.ctx.audit.verifyAll()).toMatchObject({ intact: true });
  });
});

describe('data subjects on DynamoDB Local', () => {
  it('exports everything decrypted, then erases all but the opt-out, and promotional sends stay refused', async () => {
    const w = world();
    const to = randomUkMobile();
    await putConsent(w.consent, 'app-a', { to, category: 'promotional', status: 'opted_in', source: 'web_form', evidence: 'signed form #42' });
    const { messageId } = await sendMessage(w.ctx.deps, 'app-a', SendMessageRequest.parse({ to, body: 'Your lab result is ready', category: 'promotional' }));
    await text(w, to, 'Thanks!');
    await new Promise((r) => setTimeout(r, 5));
    await text(w, to, 'STOP');

    const exported = await exportSubject(w.subjects, 'app-a', to);
    expect(exported.messages).toEqual([expect.objectContaining({ id: messageId, body: 'Your lab result is ready', sentTo: to })]);
    expect(exported.inboundMessages).toEqual([expect.objectContaining({ body: 'Thanks!' })]);
    expect(exported.consentHistory).toHaveLength(2);
    expect(exported.consentHistory[0]).toMatchObject({ evidence: 'signed form #42' });

    const erased = await eraseSubject(w.subjects, 'app-a', to);
    expect(erased).toEqual({ erased: { verifications: 0, messages: 1, inboundMessages: 1, consentRecords: 3 }, suppressionKept: true });

    const after = await exportSubject(w.subjects, 'app-a', to);
    expect(after).toMatchObject({ verifications: [], messages: [], inboundMessages: [], consentHistory: [], consent: { optedOutAll: true, suppressed: true, promotional: 'none' } });
    // Nothing decryptable remains under this number: only the suppression entry.
    const left = await w.subjects.subjects.items(hmac(w.ctx.deps.keys.blindIndexKey, 'phone', to));
    expect(left.map((i) => i.pk.split('#')[0])).toEqual(['CONSENT']);
    expect(JSON.stringify(left)).not.toMatch(/v1\.[\w-]+\.[\w-]+/);
    await expect(sendMessage(w.ctx.deps, 'app-a', SendMessageRequest.parse({ to, body: 'Sale', category: 'promotional' }))).rejects.toMatchObject({ status: 403 });
  });
});
