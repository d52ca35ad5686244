import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { recordKey } from '#shared/adapters/store/record-keys';
import { hmac } from '#shared/crypto/hmac';
import { issueOtp } from '#shared/otp/issue';
import { IssueOtpRequest } from '#shared/otp/schemas';
import { verifyOtp } from '#shared/otp/verify';
import { DynamoConsentStore } from '#shared/adapters/store/consent-store';
import type { ConsentStore } from '#shared/consent/store';
import { RecordingWhatsApp } from '../support/fake-otp-deps.ts';
import { randomUkMobile } from '../support/phones.ts';
import { auditTrail, dynamoOtpDeps } from './deps.ts';
import { INTEGRATION_TABLES } from './tables.ts';

/**
 * WhatsApp's opt-in on DynamoDB Local (API 1.2, Meta's rule): the issue plans with one read of the
 * consent record, and the send's own transaction checks the opt-in again, so an opt-out that lands
 * between the read and the write still stops the message, and nothing is written.
 */
function setUp() {
  const trail = auditTrail(INTEGRATION_TABLES.Audit);
  const consent = new DynamoConsentStore(trail.doc, INTEGRATION_TABLES.Data, trail.items);
  const whatsapp = new RecordingWhatsApp();
  const ctx = dynamoOtpDeps(INTEGRATION_TABLES, { consent, whatsapp: { sender: whatsapp, templatePrefix: 'acme_code' } });
  ctx.clock.now = Date.now();
  const to = randomUkMobile();
  const phoneIndex = hmac(ctx.deps.keys.blindIndexKey, 'phone', to);
  const change = (status: 'opted_in' | 'opted_out') =>
    consent.apply(phoneIndex, { id: `c-${status}-${to}`, at: Date.now(), actor: 'app-a', source: 'web_form', category: 'all', status, channel: 'whatsapp' }, { actor: 'app-a', action: 'consent.change', outcome: `whatsapp:${status}` });
  return { ctx, consent, whatsapp, to, phoneIndex, change };
}

describe('WhatsApp opt-in (DynamoDB Local)', () => {
  it('sends the authentication template to an opted-in number, with the code in the body and the copy-code button', async () => {
    const { ctx, whatsapp, to, change } = setUp();
    await change('opted_in');
    const view = await issueOtp(ctx.deps, 'app-a', IssueOtpRequest.parse({ to, channel: 'whatsapp', locale: 'de' }));
    expect(view).toMatchObject({ channel: 'whatsapp' });
    const [message] = whatsapp.messages;
    expect(message).toMatchObject({ to, type: 'template', template: { name: 'acme_code_de', language: { code: 'de' } } });
    expect(message!.template.components[1]!.parameters[0].text).toBe(message!.template.components[0]!.parameters[0].text);
    // The message id is what its status events name: recorded for the receipts.
    const item = await ctx.doc.send(new GetCommand({ TableName: INTEGRATION_TABLES.Data, Key: recordKey('otp', view.verificationId), ConsistentRead: true }));
    expect(item.Item).toMatchObject({ smsId: 'wamid.1', receipt: { status: 'sent' } });
    await expect(verifyOtp(ctx.deps, 'app-a', view.verificationId, { code: whatsapp.lastCode() })).resolves.toMatchObject({ status: 'approved' });
  });

  it('refuses with consent_required, writing and sending nothing, when the opt-out lands after the plan read the opt-in', async () => {
    const { ctx, consent, whatsapp, to, change } = setUp();
    await change('opted_in');
    await change('opted_out');
    // The plan's read saw the opt-in (as if the opt-out landed just after it).
    const stale: ConsentStore = { apply: (...a) => consent.apply(...a), read: (i) => consent.read(i), state: async () => ({ whatsapp: 'opted_in' }) };
    const deps = { ...ctx.deps, consent: stale };
    await expect(issueOtp(deps, 'app-a', IssueOtpRequest.parse({ to, channel: 'whatsapp' }))).rejects.toMatchObject({ code: 'consent_required', extra: { channel: 'whatsapp' } });
    expect(whatsapp.messages).toEqual([]);
    // A workflow read with the record as it is skips WhatsApp and texts instead.
    const view = await issueOtp(ctx.deps, 'app-a', IssueOtpRequest.parse({ to, workflow: [{ channel: 'whatsapp' }, { channel: 'sms' }] }));
    expect(view).toMatchObject({ channel: 'sms' });
    expect(whatsapp.messages).toEqual([]);
  });
});
