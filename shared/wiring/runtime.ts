import { senderName } from '../email/address.ts';
import { KMSClient } from '@aws-sdk/client-kms';
import { PinpointSMSVoiceV2Client } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { SNSClient } from '@aws-sdk/client-sns';
import { config } from './config.ts';
import { once, oncePromise } from './once.ts';
import type { ConsentDeps } from '../consent/consent.ts';
import { CachingKeyWrapper } from '../crypto/caching-key-wrapper.ts';
import { hmac } from '../crypto/hmac.ts';
import { Envelope, type KeyWrapper } from '../crypto/envelope.ts';
import { KmsKeyWrapper, kmsSecretKeys } from '../adapters/crypto/kms-keyring.ts';
import { LocalKeyWrapper, localSecretKeys } from '../adapters/crypto/local-keyring.ts';
import type { SecretKeys } from '../crypto/secret-keys.ts';
import type { InboundDeps } from '../inbound/receive.ts';
import type { MessageDeps, OpenDeps } from '../messages/deps.ts';
import type { OtpDeps, VerifyDeps } from '../otp/deps.ts';
import type { SenderDeps } from '../sender-deps.ts';
import { powertoolsSignals } from '../adapters/observability/powertools.ts';
import { parseLimitOverrides } from '../ratelimit/limits.ts';
import type { SmsSender } from '../sms/sender.ts';
import { OutboxSender } from '../adapters/sms/outbox.ts';
import { EumSender } from '../adapters/sms/eum.ts';
import { EumVoice } from '../adapters/voice/sms-voice.ts';
import { OutboxVoice } from '../adapters/voice/outbox.ts';
import type { EmailSender, ManagedCodeSender, VoiceSender, WhatsAppSender } from '../channels/senders.ts';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { OutboxEmail } from '../adapters/email/outbox.ts';
import { SesEmail } from '../adapters/email/ses.ts';
import { NotifyCodes } from '../adapters/sms/notify.ts';
import { SocialMessagingClient } from '@aws-sdk/client-socialmessaging';
import { OutboxWhatsApp } from '../adapters/whatsapp/outbox.ts';
import { SocialMessagingWhatsApp } from '../adapters/whatsapp/social-messaging.ts';
import { SnsSender } from '../adapters/sms/sns.ts';
import { AuditItems } from '../adapters/store/audit-items.ts';
import { createDocumentClient } from '../adapters/store/client.ts';
import { DynamoConsentStore } from '../adapters/store/consent-store.ts';
import { DynamoFraudStore } from '../adapters/store/fraud-store.ts';
import { DynamoInboundStore } from '../adapters/store/inbound-store.ts';
import { DynamoMessageStore } from '../adapters/store/message-store.ts';
import { DynamoSubjectStore } from '../adapters/store/subject-store.ts';
import { DynamoProvenanceStore } from '../adapters/store/provenance-store.ts';
import { DynamoTemplateStore } from '../adapters/store/template-store.ts';
import { DynamoWebhookStore } from '../adapters/store/webhook-store.ts';
import { DynamoEventFeed } from '../adapters/store/event-feed-store.ts';
import type { WebhookDeps } from '../webhooks/webhook.ts';
import { DynamoVerificationStore } from '../adapters/store/verification-store.ts';
import type { SubjectDeps } from '../subjects/subjects.ts';
import type { ProvenanceDeps } from '../provenance/provenance.ts';

/**
 * Wires the adapters the configuration names. Everything here runs once per cold start (promises
 * and clients are cached), so the HMAC keys are unwrapped once and clients are reused. Each
 * function asks only for what it uses, so a function deployed without a permission never needs it.
 */

export const dynamoClients = /* @__PURE__ */ once(() => createDocumentClient(config().DYNAMODB_ENDPOINT));
const doc = () => dynamoClients().doc;

const keyWrapper = /* @__PURE__ */ once((): KeyWrapper => {
  const cfg = config();
  return new CachingKeyWrapper(cfg.KEY_SOURCE === 'local' ? new LocalKeyWrapper(cfg.LOCAL_KEYS_FILE) : new KmsKeyWrapper(new KMSClient({}), cfg.KMS_KEY_ARN));
});
/** The envelope over the configured keyring (also for shared/wiring/events-runtime.ts). */
export const envelope = /* @__PURE__ */ once(() => new Envelope(keyWrapper()));

const secretKeys = /* @__PURE__ */ oncePromise((): Promise<SecretKeys> => {
  const cfg = config();
  if (cfg.KEY_SOURCE === 'local') return Promise.resolve(localSecretKeys(cfg.LOCAL_KEYS_FILE));
  if (!cfg.WRAPPED_CODE_HASH_KEY && !cfg.WRAPPED_BLIND_INDEX_KEY) {
    return Promise.reject(new Error('This function was deployed without the wrapped HMAC keys it needs'));
  }
  // Only the keys this function was given (infra/permissions.ts): each function holds what it uses.
  return kmsSecretKeys(new KMSClient({}), cfg.KMS_KEY_ARN, { codeHashKey: cfg.WRAPPED_CODE_HASH_KEY, blindIndexKey: cfg.WRAPPED_BLIND_INDEX_KEY });
});

const smsSender = /* @__PURE__ */ once((): SmsSender => {
  const cfg = config();
  if (cfg.SMS_ADAPTER === 'outbox') return new OutboxSender(cfg.OUTBOX_FILE);
  // Each stage's bundles are built for its provider (SEALTEXT_SMS_PROVIDER, defined at build time),
  // so the other provider's branch and client are left out; the local stack decides at run time.
  // Both clients are imported by name, statically: a dynamic import() of a client package keeps
  // every command of it in the bundle (esbuild cannot tell which a namespace object will be asked for).
  if (process.env.SEALTEXT_SMS_PROVIDER === 'eum' || (process.env.SEALTEXT_SMS_PROVIDER !== 'sns' && cfg.SMS_ADAPTER === 'eum')) {
    if (cfg.SMS_ADAPTER !== 'eum') throw new Error(`This bundle was built for End User Messaging; SMS_ADAPTER is ${cfg.SMS_ADAPTER}`);
    return new EumSender(new PinpointSMSVoiceV2Client({}), {
      configurationSet: cfg.EUM_CONFIGURATION_SET,
      ...(cfg.EUM_ORIGINATION_IDENTITY ? { originationIdentity: cfg.EUM_ORIGINATION_IDENTITY } : {}),
      ...(cfg.EUM_PROTECT_CONFIGURATION_ID ? { protectConfigurationId: cfg.EUM_PROTECT_CONFIGURATION_ID } : {}),
    });
  } else {
    return new SnsSender(new SNSClient({}), cfg.SMS_SENDER_ID);
  }
});

/**
 * Voice calls, where the stage configures them. Built like the SMS provider: a stage's bundles say
 * at build time whether it has voice (SEALTEXT_VOICE), so a stage without leaves the branch and its
 * client out; the local stack decides at run time.
 */
const voiceSender = /* @__PURE__ */ once((): VoiceSender | undefined => {
  const cfg = config();
  if (cfg.VOICE_ADAPTER === 'outbox' && cfg.SMS_ADAPTER === 'outbox') return new OutboxVoice(cfg.OUTBOX_FILE);
  if (process.env.SEALTEXT_VOICE !== 'none' && cfg.VOICE_ADAPTER === 'eum') {
    if (cfg.SMS_ADAPTER !== 'eum' || !cfg.VOICE_ORIGINATION_IDENTITY) throw new Error('Voice needs End User Messaging (its configuration set) and VOICE_ORIGINATION_IDENTITY');
    return new EumVoice(new PinpointSMSVoiceV2Client({}), { originationIdentity: cfg.VOICE_ORIGINATION_IDENTITY, configurationSet: cfg.EUM_CONFIGURATION_SET });
  }
  return undefined;
});

/** WhatsApp, where the stage links a number: built in or left out like voice (SEALTEXT_WHATSAPP). */
const whatsappSender = /* @__PURE__ */ once((): WhatsAppSender | undefined => {
  const cfg = config();
  if (cfg.WHATSAPP_ADAPTER === 'outbox' && cfg.SMS_ADAPTER === 'outbox') return new OutboxWhatsApp(cfg.OUTBOX_FILE);
  if (process.env.SEALTEXT_WHATSAPP !== 'none' && cfg.WHATSAPP_ADAPTER === 'social') {
    if (!cfg.WHATSAPP_PHONE_NUMBER_ID) throw new Error('WhatsApp needs WHATSAPP_PHONE_NUMBER_ID (the linked number in End User Messaging Social)');
    return new SocialMessagingWhatsApp(new SocialMessagingClient({}), { originationPhoneNumberId: cfg.WHATSAPP_PHONE_NUMBER_ID, metaApiVersion: cfg.WHATSAPP_META_API_VERSION });
  }
  return undefined;
});

/** Codes through End User Messaging Notify, on stages built for it (SEALTEXT_NOTIFY). */
const notifyCodes = /* @__PURE__ */ once((): ManagedCodeSender | undefined => {
  const cfg = config();
  // The branch, and with it the sender, is left out of bundles built without Notify.
  if (process.env.SEALTEXT_NOTIFY !== 'none' && cfg.NOTIFY_CONFIGURATION_ID) {
    if (cfg.SMS_ADAPTER !== 'eum') throw new Error('Notify goes through End User Messaging (its configuration set carries the events); SMS_ADAPTER must be eum');
    return new NotifyCodes(new PinpointSMSVoiceV2Client({}), {
      configurationId: cfg.NOTIFY_CONFIGURATION_ID, configurationSet: cfg.EUM_CONFIGURATION_SET, voice: cfg.NOTIFY_VOICE,
      templateIds: { ...(cfg.NOTIFY_TEMPLATE_EN ? { en: cfg.NOTIFY_TEMPLATE_EN } : {}), ...(cfg.NOTIFY_TEMPLATE_DE ? { de: cfg.NOTIFY_TEMPLATE_DE } : {}) },
    });
  }
  return undefined;
});

/** E-mail, where the stage configures it: built in or left out like the other channels (SEALTEXT_EMAIL). */
const emailSender = /* @__PURE__ */ once((): EmailSender | undefined => {
  const cfg = config();
  if (cfg.EMAIL_ADAPTER === 'outbox' && cfg.SMS_ADAPTER === 'outbox') return new OutboxEmail(cfg.OUTBOX_FILE, cfg.MAIL_DIR ?? 'mail', cfg.EMAIL_FROM ?? 'Sealtext <codes@sealtext.local>');
  if (process.env.SEALTEXT_EMAIL !== 'none' && cfg.EMAIL_ADAPTER === 'ses') {
    if (!cfg.EMAIL_FROM || !cfg.SES_CONFIGURATION_SET) throw new Error('E-mail needs EMAIL_FROM (an address of the domain identity) and SES_CONFIGURATION_SET');
    return new SesEmail(new SESv2Client({}), { from: cfg.EMAIL_FROM, configurationSet: cfg.SES_CONFIGURATION_SET });
  }
  return undefined;
});

/** Audit events, written in the stores' transactions (and alone for refusals); no read permission needed. */
export const auditItems = /* @__PURE__ */ once(() => new AuditItems(doc(), config().AUDIT_TABLE_NAME, config().AUDIT_RETENTION_DAYS));

export const table = () => config().DATA_TABLE_NAME;
const limits = () => parseLimitOverrides(config().RATE_LIMITS);
const allowedCountries = () => new Set(config().ALLOWED_COUNTRIES);
const consentStore = /* @__PURE__ */ once(() => new DynamoConsentStore(doc(), table(), auditItems()));
/** Range and country blocks, and trust (fraud/ranges.ts). */
export const fraudStore = /* @__PURE__ */ once(() => new DynamoFraudStore(doc(), table(), auditItems()));

/** Store and clock only: for routes that neither hash, encrypt, text nor audit. */
export const otpStoreDeps = /* @__PURE__ */ once((): Pick<OtpDeps, 'store' | 'now'> => ({ store: new DynamoVerificationStore(doc(), table(), auditItems()), now: Date.now }));

/** What checking a code (an OTP, a message's open code) needs besides its store: the keys, the audit trail, the failure windows. */
const codeCheckDeps = async (): Promise<Pick<SenderDeps, 'keys' | 'audit' | 'limits' | 'signals' | 'now'>> => ({
  keys: await secretKeys(),
  audit: auditItems(),
  limits: limits(),
  signals: powertoolsSignals,
  now: Date.now,
});

/** Everything a function that texts someone needs. */
const senderDeps = async (): Promise<SenderDeps> => ({
  ...(await codeCheckDeps()),
  envelope: envelope(),
  sms: smsSender(),
  consent: consentStore(),
  allowedCountries: allowedCountries(),
});

/** The right or wrong code: no SMS client, no envelope. */
export const verifyDeps = /* @__PURE__ */ oncePromise(async (): Promise<VerifyDeps> => ({ ...(await codeCheckDeps()), ...otpStoreDeps() }));

export const otpDeps = /* @__PURE__ */ oncePromise(async (): Promise<OtpDeps> => {
  const cfg = config();
  return {
    ...(await senderDeps()),
    ...otpStoreDeps(),
    fraud: fraudStore(),
    ...(cfg.OTP_WEB_DOMAIN ? { webDomain: cfg.OTP_WEB_DOMAIN } : {}),
    ...(voiceSender() ? { voice: voiceSender() } : {}),
    ...(whatsappSender() ? { whatsapp: { sender: whatsappSender()!, templatePrefix: cfg.WHATSAPP_TEMPLATE_PREFIX } } : {}),
    ...(notifyCodes() ? { managedCodes: notifyCodes() } : {}),
    ...(emailSender() ? { email: emailSender() } : {}),
  };
});

/** Store and clock only: the sender's reads and the recipient page (no key material loaded). */
export const messageStoreDeps = /* @__PURE__ */ once((): Pick<MessageDeps, 'store' | 'now'> => ({ store: new DynamoMessageStore(doc(), table(), auditItems(), config().ARCHIVE_OUTBOX_TABLE_NAME), now: Date.now }));

export const messageDeps = /* @__PURE__ */ oncePromise(async (): Promise<MessageDeps> => ({
  ...(await senderDeps()),
  ...messageStoreDeps(),
  templates: templateDeps().templates,
  requireApprovedTemplates: config().REQUIRE_APPROVED_TEMPLATES,
  archivePolicy: { categories: config().ARCHIVE_CATEGORIES, retentionDays: config().ARCHIVE_RETENTION_DAYS },
  publicBaseUrl: config().PUBLIC_BASE_URL ?? '',
  ...(emailSender() ? { email: emailSender() } : {}),
  ...(whatsappSender()
    ? { whatsapp: { sender: whatsappSender()!, templatePrefix: config().WHATSAPP_TEMPLATE_PREFIX, noticeTemplate: config().WHATSAPP_NOTICE_TEMPLATE, directTemplate: config().WHATSAPP_DIRECT_TEMPLATE } }
    : {}),
}));

/** Opening a sealed message: the code check and the envelope; no SMS client, no template store. */
export const openDeps = /* @__PURE__ */ oncePromise(async (): Promise<OpenDeps> => ({ ...(await codeCheckDeps()), envelope: envelope(), ...messageStoreDeps() }));

/** Reading consent: store, envelope and keys; no audit log (reads are not audited actions). */
export const consentReadDeps = /* @__PURE__ */ oncePromise(async (): Promise<Pick<ConsentDeps, 'store' | 'envelope' | 'keys'>> => ({
  store: consentStore(),
  envelope: envelope(),
  keys: await secretKeys(),
}));

/** The business as our e-mail pages name it: the display name of its From address. */
export const emailBrand = () => senderName(config().EMAIL_FROM);

export const consentDeps = /* @__PURE__ */ oncePromise(async (): Promise<ConsentDeps> => ({
  store: consentStore(),
  envelope: envelope(),
  keys: await secretKeys(),
  audit: auditItems(),
  now: Date.now,
}));

export const inboundDeps = /* @__PURE__ */ oncePromise(async (): Promise<InboundDeps> => {
  const cfg = config();
  return {
    ...(await consentDeps()),
    inbound: new DynamoInboundStore(doc(), table(), auditItems()),
    sms: smsSender(),
    helpText: cfg.HELP_TEXT,
    retentionDays: cfg.INBOUND_RETENTION_DAYS,
    allowedCountries: allowedCountries(),
    limits: limits(),
  };
});

/** Reading inbound texts: store and envelope only (no HMAC keys, no SMS). */
export const inboundReadDeps = /* @__PURE__ */ once(() => ({ inbound: new DynamoInboundStore(doc(), table(), auditItems()), envelope: envelope(), now: Date.now }));

export const subjectDeps = /* @__PURE__ */ oncePromise(async (): Promise<SubjectDeps> => ({
  subjects: new DynamoSubjectStore(doc(), table(), auditItems()),
  envelope: envelope(),
  keys: await secretKeys(),
  audit: auditItems(),
  now: Date.now,
}));

/** Ops' routes on blocks: the store and the HMAC key that turns a range's digits into its tag. */
export const fraudOpsDeps = /* @__PURE__ */ oncePromise(async () => ({ fraud: fraudStore(), keys: await secretKeys(), now: Date.now }));

/** Webhook URLs: loopback only on the local stack. */
export const urlPolicy = () => ({ allowLoopback: config().WEBHOOK_ALLOW_LOOPBACK });

/** PUT/GET/DELETE /v1/webhook and the rotation: store, envelope (webhook-secret, encrypt only), URL policy. */
export const webhookDeps = /* @__PURE__ */ once((): WebhookDeps => ({ webhooks: new DynamoWebhookStore(doc(), table(), auditItems()), envelope: envelope(), urlPolicy: urlPolicy(), now: Date.now }));

/** GET /v1/events. */
export const eventFeedDeps = /* @__PURE__ */ once(() => ({ feed: new DynamoEventFeed(doc(), table()), now: Date.now }));

/** The template routes: the store and the clock. */
export const templateDeps = /* @__PURE__ */ once(() => ({ templates: new DynamoTemplateStore(doc(), table(), auditItems()), now: Date.now }));

/** POST /v1/provenance: the sent-text hashes, the key that makes them, the client's window and the audit trail. */
export const provenanceDeps = /* @__PURE__ */ oncePromise(async (): Promise<ProvenanceDeps> => ({
  provenance: new DynamoProvenanceStore(doc(), table(), auditItems()), keys: await secretKeys(), limits: limits(), now: Date.now,
}));

/** A number's keyed blind index (audit queries by number). */
export async function blindIndexOf(e164: string): Promise<string> {
  return hmac((await secretKeys()).blindIndexKey, 'phone', e164);
}

