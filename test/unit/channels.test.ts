import { inboundWhatsAppOf } from '#shared/inbound/whatsapp-notification';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConflictException, PinpointSMSVoiceV2Client, SendVoiceMessageCommand, ValidationException } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { CreateWhatsAppMessageTemplateCommand, InvalidParametersException, ListWhatsAppMessageTemplatesCommand, SendWhatsAppMessageCommand, SocialMessagingClient, ThrottledRequestException } from '@aws-sdk/client-socialmessaging';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import type { Channel } from '#shared/channels/channel';
import { ChannelRejected } from '#shared/channels/senders';
import { voiceScript } from '#shared/channels/voice-script';
import { authenticationTemplate, utilityTemplates, whatsappCodeMessage, whatsappDirectMessage, whatsappDirectWords, whatsappNoticeMessage, whatsappNoticeWords } from '#shared/channels/whatsapp-message';
import { ensureAuthenticationTemplates } from '#shared/adapters/whatsapp/templates';
import { nextStep, planWorkflow, refusalOf, type Reach, type WorkflowState } from '#shared/channels/workflow';
import { fromEumEvent, fromSocialEvent } from '#shared/delivery/provider-receipts';
import { readOutbox } from '#shared/adapters/sms/outbox';
import { EumVoice } from '#shared/adapters/voice/sms-voice';
import { OutboxVoice } from '#shared/adapters/voice/outbox';
import { OutboxWhatsApp } from '#shared/adapters/whatsapp/outbox';
import { SocialMessagingWhatsApp } from '#shared/adapters/whatsapp/social-messaging';

/** Channels (API 1.2): the fallback's rules, what a call says, the WhatsApp message, and the senders' exact AWS commands. */
const everything: Reach = { configured: new Set<Channel>(['sms', 'whatsapp', 'voice', 'email']), whatsappOptIn: true, hasEmail: true, hasPhone: true };

describe('workflow plan: steps that cannot be used are skipped, not failed', () => {
  it('keeps the order, skips WhatsApp without an opt-in, unconfigured channels and e-mail without an address', () => {
    expect(planWorkflow(['whatsapp', 'sms', 'email'], everything)).toEqual({ steps: ['whatsapp', 'sms', 'email'], skipped: [] });
    expect(planWorkflow(['whatsapp', 'sms', 'email'], { ...everything, whatsappOptIn: false, hasEmail: false })).toEqual({
      steps: ['sms'], skipped: [{ channel: 'whatsapp', reason: 'consent_required' }, { channel: 'email', reason: 'channel_unavailable' }],
    });
    expect(planWorkflow(['voice', 'sms'], { ...everything, configured: new Set<Channel>(['sms']) }).skipped).toEqual([{ channel: 'voice', reason: 'channel_unavailable' }]);
    // Only an e-mail address: every phone channel is unavailable.
    expect(planWorkflow(['sms', 'email'], { ...everything, hasPhone: false }).steps).toEqual(['email']);
  });

  it('refuses a request none of whose steps can be used with the first step\'s reason (403 consent_required / channel_unavailable)', () => {
    expect(refusalOf(planWorkflow(['whatsapp'], { ...everything, whatsappOptIn: false }))).toBe('consent_required');
    expect(refusalOf(planWorkflow(['voice'], { ...everything, configured: new Set<Channel>(['sms']) }))).toBe('channel_unavailable');
    expect(refusalOf(planWorkflow(['whatsapp', 'sms'], { ...everything, whatsappOptIn: false }))).toBeUndefined();
  });
});

describe('workflow moves: the next step once, never after the end', () => {
  const T = 1_000_000;
  const state: WorkflowState = { status: 'pending', steps: ['whatsapp', 'sms', 'voice'], current: 0, expiresAt: T + 600_000 };

  it('sends the next step on the current step\'s timeout or failure, naming why', () => {
    expect(nextStep(state, { kind: 'timeout', step: 0 }, T)).toEqual({ send: 1, channel: 'sms', reason: 'timeout' });
    expect(nextStep({ ...state, current: 1 }, { kind: 'failed', step: 1 }, T)).toEqual({ send: 2, channel: 'voice', reason: 'failed' });
  });

  it('sends nothing for the second of two racing triggers, after the last step, or once the verification ended', () => {
    // The failure moved the workflow to step 1; step 0's timeout arrives after: stale.
    expect(nextStep({ ...state, current: 1 }, { kind: 'timeout', step: 0 }, T)).toEqual({ none: 'stale' });
    expect(nextStep({ ...state, current: 2 }, { kind: 'timeout', step: 2 }, T)).toEqual({ none: 'last_step' });
    for (const status of ['approved', 'canceled', 'expired', 'max_attempts_reached'] as const) {
      expect(nextStep({ ...state, status }, { kind: 'timeout', step: 0 }, T), status).toEqual({ none: 'ended' });
    }
    // Expiry is decided by the server clock, whatever the status says (TTL deletes late).
    expect(nextStep(state, { kind: 'failed', step: 0 }, state.expiresAt)).toEqual({ none: 'ended' });
  });
});

describe('voice script', () => {
  it('says the brand, then the code digit by digit, twice, slowly, in the locale\'s voice', () => {
    const s = voiceScript('en', { brand: 'Acme Bank', code: '482910' });
    expect(s).toMatchObject({ voiceId: 'AMY', languageCode: 'en-GB' });
    expect(s.ssml.startsWith('<speak>This is Acme Bank.')).toBe(true);
    expect(s.ssml.endsWith('</speak>')).toBe(true);
    const digits = [...s.ssml.matchAll(/<say-as interpret-as="digits">(\d)<\/say-as><break time="400ms"\/>/g)].map((m) => m[1]).join('');
    expect(digits).toBe('482910482910');
    expect(s.ssml.match(/<prosody rate="slow">/g)).toHaveLength(2);
    expect(s.words).toBe('This is Acme Bank. Your code is 4, 8, 2, 9, 1, 0. Again, your code is 4, 8, 2, 9, 1, 0. Never share it. Goodbye.');
    expect(voiceScript('de', { brand: 'Acme', code: '1234' })).toMatchObject({ voiceId: 'MARLENE', languageCode: 'de-DE' });
  });

  it('names amount and payee for a transaction code, and no brand or payee can break out of the SSML', () => {
    const s = voiceScript('en', { brand: 'A&B <Bank>', code: '1234', transaction: { amount: '120.00', currency: 'GBP', payee: '"Evil" </speak><audio src="x"/>' } });
    expect(s.ssml).toContain('It approves paying 120.00 GBP to &quot;Evil&quot; &lt;/speak&gt;&lt;audio src=&quot;x&quot;/&gt;.');
    expect(s.ssml).toContain('This is A&amp;B &lt;Bank&gt;.');
    expect(s.ssml.match(/<\/speak>/g)).toHaveLength(1);
    expect(s.ssml).not.toContain('<audio');
    expect(() => voiceScript('en', { brand: 'x', code: '12a4' })).toThrow();
  });
});

describe('WhatsApp authentication template message', () => {
  it('is Meta\'s Cloud API template shape: the code in the body and in the copy-code button', () => {
    expect(whatsappCodeMessage('+447400123456', '482910', 'de', 'sealtext_code_de')).toEqual({
      messaging_product: 'whatsapp', recipient_type: 'individual', to: '+447400123456', type: 'template',
      template: {
        name: 'sealtext_code_de', language: { code: 'de' },
        components: [
          { type: 'body', parameters: [{ type: 'text', text: '482910' }] },
          { type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: '482910' }] },
        ],
      },
    });
    expect(() => whatsappCodeMessage('447400123456', '482910', 'en', 't')).toThrow();
    expect(() => whatsappCodeMessage('+447400123456', '1234567890123456', 'en', 't')).toThrow();
  });
});

// One mock per client class for the whole file (a second would replace the first's stub).
const social = mockClient(SocialMessagingClient);
afterEach(() => social.reset());

describe('End User Messaging Social (WhatsApp) sender', () => {
  const sender = () => new SocialMessagingWhatsApp(new SocialMessagingClient({ region: 'eu-west-1' }), { originationPhoneNumberId: 'phone-number-id-0123456789abcdef0123456789abcdef', metaApiVersion: 'v20.0' });

  it('sends the message as bytes of its JSON from the configured number, with the Meta API version', async () => {
    social.on(SendWhatsAppMessageCommand).resolves({ messageId: 'wamid-1' });
    const message = whatsappCodeMessage('+447400123456', '482910', 'en', 'sealtext_code_en');
    expect(await sender().send({ message })).toEqual({ messageId: 'wamid-1' });
    const input = social.commandCalls(SendWhatsAppMessageCommand)[0]!.args[0].input;
    expect(input.originationPhoneNumberId).toBe('phone-number-id-0123456789abcdef0123456789abcdef');
    expect(input.metaApiVersion).toBe('v20.0');
    expect(JSON.parse(new TextDecoder().decode(input.message))).toEqual(message);
  });

  it('maps a refused message to ChannelRejected; throttling passes through to be retried', async () => {
    social.on(SendWhatsAppMessageCommand).rejects(new InvalidParametersException({ message: 'template not approved', $metadata: {} }));
    await expect(sender().send({ message: whatsappCodeMessage('+447400123456', '1234', 'en', 't') })).rejects.toBeInstanceOf(ChannelRejected);
    social.reset();
    social.on(SendWhatsAppMessageCommand).rejects(new ThrottledRequestException({ message: 'slow down', $metadata: {} }));
    await expect(sender().send({ message: whatsappCodeMessage('+447400123456', '1234', 'en', 't') })).rejects.toBeInstanceOf(ThrottledRequestException);
  });
});

describe('End User Messaging voice sender', () => {
  const eum = mockClient(PinpointSMSVoiceV2Client);
  afterEach(() => eum.reset());

  it('sends the SSML in the locale\'s voice from the voice identity, through the configuration set, with the record reference and a short time to live', async () => {
    eum.on(SendVoiceMessageCommand).resolves({ MessageId: 'call-1' });
    const script = voiceScript('en', { brand: 'Acme', code: '1234' });
    const voice = new EumVoice(new PinpointSMSVoiceV2Client({ region: 'eu-west-1' }), { originationIdentity: 'pool-voice', configurationSet: 'sealtext-prod', maxPricePerMinute: '0.10' });
    expect(await voice.send({ to: '+447400123456', script, ref: 'otp:v1:2' })).toEqual({ messageId: 'call-1' });
    expect(eum.commandCalls(SendVoiceMessageCommand)[0]!.args[0].input).toEqual({
      DestinationPhoneNumber: '+447400123456', OriginationIdentity: 'pool-voice', MessageBody: script.ssml, MessageBodyTextType: 'SSML',
      VoiceId: 'AMY', ConfigurationSetName: 'sealtext-prod', TimeToLive: 300, MaxPricePerMinute: '0.10', Context: { sealtextRef: 'otp:v1:2' },
    });
  });

  it('maps an opted-out and an invalid destination to ChannelRejected', async () => {
    const voice = new EumVoice(new PinpointSMSVoiceV2Client({ region: 'eu-west-1' }), { originationIdentity: 'p', configurationSet: 's' });
    const script = voiceScript('en', { brand: 'Acme', code: '1234' });
    eum.on(SendVoiceMessageCommand).rejects(new ConflictException({ message: 'opted out', $metadata: {}, Reason: 'DESTINATION_PHONE_NUMBER_OPTED_OUT', ResourceType: 'opt-out-list', ResourceId: 'x' }));
    await expect(voice.send({ to: '+447400123456', script })).rejects.toMatchObject({ reason: 'opted_out' });
    eum.reset();
    eum.on(SendVoiceMessageCommand).rejects(new ValidationException({ message: 'bad', $metadata: {}, Reason: 'INVALID_PARAMETER' }));
    await expect(voice.send({ to: '+447400123456', script })).rejects.toMatchObject({ reason: 'invalid_destination' });
  });
});

describe('local stand-ins', () => {
  it('put WhatsApp messages and calls in the outbox under their channel (a call as its words); SMS entries keep no channel', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sealtext-channels-')), 'outbox.jsonl');
    const quiet = () => undefined;
    await new OutboxWhatsApp(file, quiet).send({ message: whatsappCodeMessage('+447400123456', '482910', 'en', 't'), text: '482910 is your verification code.\n[Copy code]' });
    await new OutboxVoice(file, quiet).send({ to: '+447400123456', script: voiceScript('en', { brand: 'Acme', code: '1234' }) });
    const entries = readOutbox(file, '+447400123456');
    expect(entries.map((e) => e.channel)).toEqual(['whatsapp', 'voice']);
    expect(entries[0]!.text).toContain('482910 is your verification code');
    expect(entries[1]!.text).toBe('This is Acme. Your code is 1, 2, 3, 4. Again, your code is 1, 2, 3, 4. Never share it. Goodbye.');
  });
});

describe('receipts of the new channels', () => {
  const T = 1_763_892_000_000;
  const call = (messageStatus: string, eventType = '') => ({
    source: 'aws.sms-voice', 'detail-type': 'Voice Message Delivery Status Updated',
    detail: { messageId: 'call-1', messageStatus, eventType, isFinal: true, eventTimestamp: T, context: { sealtextRef: 'otp:v1:3' }, destinationPhoneNumber: '+447400123456' },
  });

  it('counts an answered or completed call as delivered, busy / no answer / failed as failed, ringing as nothing yet', () => {
    expect(fromEumEvent(call('COMPLETED'))).toEqual({ smsId: 'call-1', ref: 'otp:v1:3', status: 'delivered', at: T, channel: 'voice' });
    expect(fromEumEvent(call('', 'VOICE_ANSWERED'))).toMatchObject({ status: 'delivered' });
    expect(fromEumEvent(call('BUSY'))).toMatchObject({ status: 'failed', errorCode: 'busy' });
    expect(fromEumEvent(call('', 'VOICE_NO_ANSWER'))).toMatchObject({ status: 'failed', errorCode: 'no_answer' });
    expect(fromEumEvent(call('', 'VOICE_RINGING'))).toBeUndefined();
    expect(fromEumEvent(call('', 'VOICE_INITIATED'))).toBeUndefined();
    expect(JSON.stringify(fromEumEvent(call('BUSY')))).not.toContain('447400123456');
  });

  it('reads WhatsApp statuses: read counts as delivered, "not on WhatsApp" fails with its own code', () => {
    const status = (s: string, extra: Record<string, unknown> = {}, detailType = `WhatsApp Message ${s[0]!.toUpperCase()}${s.slice(1)}`) => ({
      source: 'aws.social-messaging', 'detail-type': detailType, detail: { messageId: 'wamid-1', status: s, eventTimestamp: '1759466063', ...extra },
    });
    expect(fromSocialEvent(status('sent'))).toEqual({ smsId: 'wamid-1', status: 'sent', at: 1_759_466_063_000, channel: 'whatsapp' });
    expect(fromSocialEvent(status('delivered'))).toMatchObject({ status: 'delivered' });
    expect(fromSocialEvent(status('read'))).toMatchObject({ status: 'delivered' });
    expect(fromSocialEvent(status('failed', { errors: [{ code: 131026, title: 'Message undeliverable' }] }))).toMatchObject({ status: 'failed', errorCode: 'not_on_whatsapp' });
    expect(fromSocialEvent(status('failed', { errors: [{ code: 131056 }] }))).toMatchObject({ errorCode: 'rate_limited' });
    expect(fromSocialEvent(status('failed'))).toMatchObject({ status: 'failed', errorCode: 'provider_error' });
    expect(fromSocialEvent(status('undeliverable'))).toMatchObject({ status: 'failed', errorCode: 'not_on_whatsapp' });
    expect(fromSocialEvent({ source: 'aws.sms-voice', detail: { messageId: 'x', status: 'sent' } })).toBeUndefined();
    expect(fromSocialEvent(status('received'))).toBeUndefined();
  });
});

describe('WhatsApp authentication templates (npm run whatsapp:templates)', () => {
  it('defines Meta\'s authentication template: its own words with the security line, the expiry footer, a copy-code button', () => {
    expect(authenticationTemplate('sealtext_code', 'de', 10)).toEqual({
      name: 'sealtext_code_de', language: 'de', category: 'AUTHENTICATION',
      components: [
        { type: 'BODY', add_security_recommendation: true },
        { type: 'FOOTER', code_expiration_minutes: 10 },
        { type: 'BUTTONS', buttons: [{ type: 'OTP', otp_type: 'COPY_CODE', text: 'Code kopieren' }] },
      ],
    });
    expect(() => authenticationTemplate('Bad-Name', 'en', 10)).toThrow();
    expect(() => authenticationTemplate('ok', 'en', 91)).toThrow();
  });

  it('creates the locales missing from the account (all pages read), leaves existing ones as they are', async () => {
    social.on(ListWhatsAppMessageTemplatesCommand, { id: 'waba-1' }).resolvesOnce({ templates: [{ templateName: 'other', templateLanguage: 'en' }], nextToken: 'p2' })
      .resolvesOnce({ templates: [{ templateName: 'sealtext_code_en', templateLanguage: 'en', templateStatus: 'APPROVED' }] });
    social.on(CreateWhatsAppMessageTemplateCommand).resolves({ metaTemplateId: '123', templateStatus: 'PENDING' });
    const out = await ensureAuthenticationTemplates(new SocialMessagingClient({ region: 'eu-west-1' }), 'waba-1', { prefix: 'sealtext_code', expiryMinutes: 10 });
    expect(out).toEqual([
      { name: 'sealtext_code_en', language: 'en', status: 'APPROVED', created: false },
      { name: 'sealtext_code_de', language: 'de', status: 'PENDING', created: true },
    ]);
    expect(social.commandCalls(ListWhatsAppMessageTemplatesCommand).map((c) => c.args[0].input.nextToken)).toEqual([undefined, 'p2']);
    const created = social.commandCalls(CreateWhatsAppMessageTemplateCommand);
    expect(created).toHaveLength(1);
    expect(created[0]!.args[0].input.id).toBe('waba-1');
    expect(JSON.parse(new TextDecoder().decode(created[0]!.args[0].input.templateDefinition))).toEqual(authenticationTemplate('sealtext_code', 'de', 10));
  });
});

describe('sealed messages on WhatsApp: the utility templates', () => {
  it('puts brand and expiry in the notice\'s body and only the link token in its URL button; never the message', () => {
    const m = whatsappNoticeMessage('+447400123456', { template: 'sealtext_notice', brand: 'Acme Bank', until: '2026-12-03 18:00 UTC', token: 't'.repeat(43) });
    expect(m).toEqual({
      messaging_product: 'whatsapp', recipient_type: 'individual', to: '+447400123456', type: 'template',
      template: {
        name: 'sealtext_notice', language: { code: 'en' },
        components: [
          { type: 'body', parameters: [{ type: 'text', text: 'Acme Bank' }, { type: 'text', text: '2026-12-03 18:00 UTC' }] },
          { type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: 't'.repeat(43) }] },
        ],
      },
    });
    expect(whatsappNoticeWords('Acme Bank', '2026-12-03 18:00 UTC')).toBe('You have a secure message from Acme Bank. It can be read until 2026-12-03 18:00 UTC.');
    expect(() => whatsappNoticeMessage('447400123456', { template: 't', brand: 'b', until: 'u', token: 'x' })).toThrow();
  });

  it('joins a direct message\'s lines (Meta refuses newlines and runs of spaces in a parameter)', () => {
    const m = whatsappDirectMessage('+447400123456', { template: 'sealtext_message', brand: 'Acme', body: 'Line one\n\n  Line\ttwo      end' });
    expect(m.template.components).toEqual([{ type: 'body', parameters: [{ type: 'text', text: 'Acme' }, { type: 'text', text: 'Line one · Line two   end' }] }]);
    expect(whatsappDirectWords(m)).toBe('A message from Acme:\n\nLine one · Line two   end\n\nReply STOP to stop WhatsApp messages.');
  });

  it('defines both templates for Meta\'s review: utility, bodies that start and end with words, the link button on the stage\'s /m/', () => {
    const [notice, direct] = utilityTemplates({ notice: 'sealtext_notice', direct: 'sealtext_message' }, 'https://api.example.com/prod');
    expect(notice).toMatchObject({ name: 'sealtext_notice', category: 'UTILITY', components: [{ type: 'BODY' }, { type: 'BUTTONS', buttons: [{ type: 'URL', url: 'https://api.example.com/prod/m/{{1}}' }] }] });
    expect(direct).toMatchObject({ name: 'sealtext_message', category: 'UTILITY' });
    for (const t of [notice!, direct!]) {
      const body = (t.components[0] as { text: string }).text;
      expect(body).toMatch(/^[A-Za-z].*[.]$/s);
    }
    expect(() => utilityTemplates({ notice: 'n', direct: 'd' }, 'http://api.example.com/prod')).toThrow();
    expect(() => utilityTemplates({ notice: 'n', direct: 'd' }, 'https://api.example.com/prod/')).toThrow();
  });
});

describe('inbound WhatsApp (the WhatsApp Business Account\'s event destination)', () => {
  const notification = (messages: unknown[], extra: Record<string, unknown> = {}) => ({
    context: { MetaWabaIds: [], MetaPhoneNumberIds: [] }, aws_account_id: '111122223333', messageId: 'aws-1',
    whatsAppWebhookEntry: JSON.stringify({ id: '1234', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', messages, ...extra } }] }),
  });

  it('reads the text messages, the sender as E.164, and nothing else', () => {
    const text = { from: '447400123456', id: 'wamid.A', timestamp: '1759466063', type: 'text', text: { body: 'STOP' } };
    const image = { from: '447400123456', id: 'wamid.B', type: 'image', image: { id: 'm' } };
    expect(inboundWhatsAppOf(notification([text, image]))).toEqual([{ id: 'wamid.A', from: '+447400123456', body: 'STOP' }]);
    // A status notification (no messages) holds nothing to keep.
    expect(inboundWhatsAppOf(notification([], { statuses: [{ id: 'wamid.C', status: 'delivered' }] }))).toEqual([]);
    expect(inboundWhatsAppOf(notification([{ ...text, from: '+44 7400' }]))).toEqual([]);
  });

  it('tells a Social notification from a two-way SMS one, and survives a broken entry', () => {
    expect(inboundWhatsAppOf({ originationNumber: '+447400123456', messageBody: 'hi', inboundMessageId: 'x' })).toBeUndefined();
    expect(inboundWhatsAppOf({ whatsAppWebhookEntry: '{not json' })).toBeUndefined();
    expect(inboundWhatsAppOf(null)).toBeUndefined();
  });
});

describe('RCS receipts (a pool with an RCS agent)', () => {
  const rcs = (messageStatus: string, eventType = 'RCS_DELIVERED') => ({
    source: 'aws.sms-voice', 'detail-type': 'Text Message Delivery Status Updated',
    detail: { messageId: 'rcs-1', messageStatus, eventType, isFinal: true, eventTimestamp: 1_763_892_000_000, context: { sealtextRef: 'otp:v1:1' } },
  });

  it('counts delivered and read as delivered, an expiry as failed, and says nothing on a fallback to SMS (its own events follow)', () => {
    expect(fromEumEvent(rcs('DELIVERED'))).toMatchObject({ status: 'delivered', ref: 'otp:v1:1', channel: 'sms' });
    expect(fromEumEvent(rcs('READ', 'RCS_READ'))).toMatchObject({ status: 'delivered' });
    expect(fromEumEvent(rcs('EXPIRED', 'RCS_TTL_EXPIRATION'))).toMatchObject({ status: 'failed', errorCode: 'rcs_expired' });
    expect(fromEumEvent(rcs('FALLBACK_SMS', 'RCS_FALLBACK'))).toBeUndefined();
    expect(fromEumEvent(rcs('PENDING'))).toBeUndefined();
  });
});
