import { describe, expect, it } from 'vitest';
import { getConsents, putConsent } from '#shared/consent/consent';
import { hmac } from '#shared/crypto/hmac';
import { receiveInbound } from '#shared/inbound/receive';
import { SendMessageRequest } from '#shared/messages/schemas';
import { sendMessage } from '#shared/messages/send';
import { issueOtp } from '#shared/otp/issue';
import { IssueOtpRequest } from '#shared/otp/schemas';
import { DynamoConsentStore } from '#shared/adapters/store/consent-store';
import { DynamoInboundStore } from '#shared/adapters/store/inbound-store';
import { DynamoSubjectStore } from '#shared/adapters/store/subject-store';
import { eraseSubject, exportSubject } from '#shared/subjects/subjects';
import { randomUkMobile } from '../support/phones.ts';
import { dynamoMessageDeps } from './deps.ts';
import { INTEGRATION_TABLES } from './tables.ts';

function world(tables: typeof INTEGRATION_TABLES = INTEGRATION_TABLES) {
  const ctx = dynamoMessageDeps(tables);
  // Consent history is ordered by time: give it the real clock, so each change gets its own instant.
  const consent = { store: new DynamoConsentStore(ctx.doc, tables.Data, ctx.trail.items), envelope: ctx.deps.envelope, keys: ctx.deps.keys, audit: ctx.deps.audit, now: () => Date.now() };
  const inbound = { ...consent, inbound: new DynamoInboundStore(ctx.doc, tables.Data, ctx.trail.items), sms: ctx.sms, helpText: 'Acme: reply STOP to stop.', retentionDays: 30, allowedCountries: ctx.deps.allowedCountries, limits: ctx.deps.limits };
  const subjects = { subjects: new DynamoSubjectStore(ctx.doc, tables.Data, ctx.trail.items), envelope: ctx.deps.envelope, keys: ctx.deps.keys, audit: ctx.deps.audit, now: ctx.deps.now };
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

    const view = await getConsents(w.consent, { to });
    expect(view.history.map((h) => `${h.actor}:${h.category}:${h.status}`)).toEqual(['app-a:promotional:opted_in', 'recipient:all:opted_out', 'recipient:all:opted_in']);
    expect(view.history[0]).toMatchObject({ evidence: 'ticked box', textVersion: 'v1', source: 'web_form' });
  });

  it('stops OTPs after STOP, before any SMS, and audits the refusal', async () => {
    const w = world();
    const to = randomUkMobile();
    await text(w, to, 'stop');
    const { DynamoVerificationStore } = await import('#shared/adapters/store/verification-store');
    const { DynamoFraudStore } = await import('#shared/adapters/store/fraud-store');
    const deps = { ...w.ctx.deps, store: new DynamoVerificationStore(w.ctx.doc, INTEGRATION_TABLES.Data, w.ctx.trail.items), fraud: new DynamoFraudStore(w.ctx.doc, INTEGRATION_TABLES.Data, w.ctx.trail.items) };
    await expect(issueOtp(deps, 'app-a', IssueOtpRequest.parse({ to }))).rejects.toMatchObject({ status: 403, code: 'recipient_opted_out' });
    expect(w.ctx.sms.sent.filter((s) => s.to === to)).toHaveLength(0);
    const index = hmac(w.ctx.deps.keys.blindIndexKey, 'phone', to);
    const events = await w.ctx.trail.store.bySubject(index, { from: '2000', until: '3000' });
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

  it('answers HELP only where a send may go: not to a premium or foreign number, an opted-out one, or past the number\'s window', async () => {
    const w = world();
    const sentTo = (n: string) => w.ctx.sms.sent.filter((s) => s.to === n).length;
    const outcomes = async (n: string) => (await w.ctx.trail.store.bySubject(hmac(w.ctx.deps.keys.blindIndexKey, 'phone', n), { from: '2000', until: '3000' }))
      .filter((e) => e.outcome.startsWith('help')).map((e) => e.outcome);
    // A spoofed inbound from a premium-rate number and from a country outside the allow list.
    for (const [from, reason] of [['+449098790000', 'number_type'], ['+33612345678', 'country']] as const) {
      expect(await text(w, from, 'HELP')).toEqual({ kind: 'help', replied: false });
      expect(sentTo(from)).toBe(0);
      expect(await outcomes(from)).toEqual([`help_refused:${reason}`]);
    }
    const stopped = randomUkMobile();
    await text(w, stopped, 'STOP');
    expect(await text(w, stopped, 'HELP')).toEqual({ kind: 'help', replied: false });
    expect(sentTo(stopped)).toBe(0);
    expect(await outcomes(stopped)).toEqual(['help_refused:recipient_opted_out']);
    // The number's short window (5 sends in 10 minutes) bounds replies to a HELP flood.
    const flood = randomUkMobile();
    for (let i = 0; i < 7; i++) await text(w, flood, 'help');
    expect(sentTo(flood)).toBe(w.ctx.deps.limits.phoneShort.limit);
    expect(await outcomes(flood)).toEqual([...Array(5).fill('help_answered'), 'help_refused:phoneShort', 'help_refused:phoneShort']);
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

    const exported = await exportSubject(w.subjects, 'app-a', { to });
    expect(exported.messages).toEqual([expect.objectContaining({ id: messageId, body: 'Your lab result is ready', sentTo: to })]);
    expect(exported.inboundMessages).toEqual([expect.objectContaining({ body: 'Thanks!' })]);
    expect(exported.consentHistory).toHaveLength(2);
    expect(exported.consentHistory[0]).toMatchObject({ evidence: 'signed form #42' });

    const erased = await eraseSubject(w.subjects, 'app-a', { to });
    expect(erased).toEqual({ erased: { verifications: 0, messages: 1, inboundMessages: 1, consentRecords: 3 }, suppressionKept: true, retained: [] });

    const after = await exportSubject(w.subjects, 'app-a', { to });
    expect(after).toMatchObject({ verifications: [], messages: [], inboundMessages: [], consentHistory: [], consent: { optedOutAll: true, suppressed: true, promotional: 'none' } });
    // Nothing decryptable remains under this number: only the suppression entry.
    const left = await w.subjects.subjects.items(hmac(w.ctx.deps.keys.blindIndexKey, 'phone', to));
    expect(left.map((i) => i.pk.split('#')[0])).toEqual(['CONSENT']);
    expect(JSON.stringify(left)).not.toMatch(/v1\.[\w-]+\.[\w-]+/);
    await expect(sendMessage(w.ctx.deps, 'app-a', SendMessageRequest.parse({ to, body: 'Sale', category: 'promotional' }))).rejects.toMatchObject({ status: 403 });
  });
});
