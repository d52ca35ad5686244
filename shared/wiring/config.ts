import * as z from '../zod.ts';
import { textIntIn } from '../schema.ts';

/**
 * The one configuration object, parsed from the environment once per cold start.
 * A bad deploy fails here, loudly, before any request is served.
 */
const csv = z.pipe(
  z._default(z.string(), ''),
  z.transform((s: string) => s.split(',').map((x) => x.trim()).filter(Boolean)),
);
const name = z.string().check(z.minLength(1));
const optionalName = z.optional(name);
const arn = z.string().check(z.startsWith('arn:'));
/** A whole number from the environment (a string) in [min, max], `fallback` when unset. */
const envInt = (min: number, max: number, fallback: number) => z._default(textIntIn(min, max), fallback);

const keySource = z.discriminatedUnion('KEY_SOURCE', [
  z.object({
    KEY_SOURCE: z.literal('local'),
    /** .local/keys.json: raw AES keyring and HMAC keys of the local stack. */
    LOCAL_KEYS_FILE: name,
    /** .local/audit-signing-key.pem: the local stack's seal signing key (P-256). */
    AUDIT_SIGNING_KEY_FILE: optionalName,
  }),
  z.object({
    KEY_SOURCE: z.literal('kms'),
    KMS_KEY_ARN: arn,
    /** HMAC keys, wrapped by the CMK at deploy time (base64 CiphertextBlob); only functions that hash hold them. */
    WRAPPED_CODE_HASH_KEY: optionalName,
    WRAPPED_BLIND_INDEX_KEY: optionalName,
    /** The ECC_NIST_P256 SIGN_VERIFY key: the sealer signs with it, the audit readers fetch its public key. */
    AUDIT_SIGNING_KEY_ARN: z.optional(arn),
  }),
]);

const smsAdapter = z.discriminatedUnion('SMS_ADAPTER', [
  z.object({ SMS_ADAPTER: z.literal('outbox'), OUTBOX_FILE: name }),
  z.object({ SMS_ADAPTER: z.literal('sns') }),
  z.object({
    SMS_ADAPTER: z.literal('eum'),
    /** AWS End User Messaging SMS: the configuration set whose delivery events reach EventBridge. */
    EUM_CONFIGURATION_SET: name,
    EUM_ORIGINATION_IDENTITY: optionalName,
    EUM_PROTECT_CONFIGURATION_ID: optionalName,
  }),
]);

const base = z.object({
  STAGE: z._default(z.string().check(z.regex(/^[a-z][a-z0-9-]{0,19}$/)), 'dev'),
  DATA_TABLE_NAME: name,
  /** Only the functions that take an Idempotency-Key get this table. */
  IDEMPOTENCY_TABLE_NAME: optionalName,
  /** Only the local stack sets this (DynamoDB Local). */
  DYNAMODB_ENDPOINT: z.optional(z.url()),
  /** ISO 3166 alpha-2 codes; empty means no destination is allowed. */
  ALLOWED_COUNTRIES: z.pipe(csv, z.array(z.string().check(z.regex(/^[A-Z]{2}$/)))),
  /** Origin-bound codes (WebOTP): last SMS line `@domain #code`. */
  OTP_WEB_DOMAIN: z.optional(z.string().check(z.regex(/^[a-z0-9.-]+\.[a-z]{2,}(:\d+)?$/))),
  /** Overrides of the default rate limits, JSON: { "phoneShort": { "limit": 5, "windowSeconds": 600 }, ... } */
  RATE_LIMITS: z.optional(z.string()),
  /** Only the functions that write audit events get this table (PutItem only). */
  AUDIT_TABLE_NAME: optionalName,
  AUDIT_RETENTION_DAYS: envInt(1, 3653, 400),
  /** Where seals are archived write-once: an S3 bucket with Object Lock (AWS) or a folder (local stack). */
  SEAL_BUCKET: z.optional(z.string().check(z.minLength(3))),
  SEAL_DIR: optionalName,
  /** Base URL of the recipient page (`<base>/m/<token>`), e.g. the API stage URL. */
  PUBLIC_BASE_URL: z.optional(z.pipe(z.url(), z.transform((u: string) => u.replace(/\/+$/, '')))),
  /** The answer to HELP/INFO texts. */
  HELP_TEXT: z._default(z.string().check(z.minLength(1), z.maxLength(300)), 'Sealtext: secure messages and codes. Reply STOP to stop all texts, START to resume. Msg&data rates may apply.'),
  /** Days inbound texts are kept for the business. */
  INBOUND_RETENTION_DAYS: envInt(1, 365, 30),
  /**
   * Voice codes (API 1.2), where the stage configures them: `eum` (End User Messaging
   * SendVoiceMessage from VOICE_ORIGINATION_IDENTITY, through the SMS configuration set) or
   * `outbox` (the local stack). Unset: `channel: "voice"` is `channel_unavailable`.
   */
  VOICE_ADAPTER: z.optional(z.enum(['outbox', 'eum'])),
  VOICE_ORIGINATION_IDENTITY: optionalName,
  /**
   * WhatsApp codes (API 1.2), where the stage links a number: `social` (End User Messaging Social
   * SendWhatsAppMessage from WHATSAPP_PHONE_NUMBER_ID, templates `<WHATSAPP_TEMPLATE_PREFIX>_<locale>`)
   * or `outbox` (the local stack). Unset: `channel: "whatsapp"` is `channel_unavailable`.
   */
  WHATSAPP_ADAPTER: z.optional(z.enum(['outbox', 'social'])),
  /**
   * E-mail codes (API 1.2): `ses` (SES v2 SendEmail from EMAIL_FROM, an address of the stage's domain
   * identity, through SES_CONFIGURATION_SET) or `outbox` (the local stack; `.eml` files in MAIL_DIR).
   * Unset: `channel: "email"` is `channel_unavailable`.
   */
  EMAIL_ADAPTER: z.optional(z.enum(['outbox', 'ses'])),
  EMAIL_FROM: z.optional(z.string().check(z.minLength(3), z.maxLength(320))),
  SES_CONFIGURATION_SET: optionalName,
  MAIL_DIR: optionalName,
  /**
   * End User Messaging Notify (`smsProvider: notify`): codes through this Notify configuration, in
   * AWS's templates (NOTIFY_TEMPLATE_EN / _DE name one per locale; else the configuration's default),
   * by call too where NOTIFY_VOICE is true. Other texts still go out through End User Messaging SMS.
   */
  NOTIFY_CONFIGURATION_ID: z.optional(z.string().check(z.regex(/^[A-Za-z0-9_:/-]{1,256}$/))),
  NOTIFY_VOICE: z.pipe(z._default(z.enum(['true', 'false']), 'false'), z.transform((v: 'true' | 'false') => v === 'true')),
  NOTIFY_TEMPLATE_EN: optionalName,
  NOTIFY_TEMPLATE_DE: optionalName,
  WHATSAPP_PHONE_NUMBER_ID: z.optional(z.string().check(z.regex(/^phone-number-id-[0-9a-f]{32}$/))),
  WHATSAPP_META_API_VERSION: z._default(z.string().check(z.regex(/^v\d{2}\.\d$/)), 'v20.0'),
  WHATSAPP_TEMPLATE_PREFIX: z._default(z.string().check(z.regex(/^[a-z0-9_]{1,60}$/)), 'sealtext_code'),
  /** Sealed messages on WhatsApp (API 1.2): the approved utility templates of the notice (link button) and of `direct`. */
  WHATSAPP_NOTICE_TEMPLATE: z._default(z.string().check(z.regex(/^[a-z0-9_]{1,60}$/)), 'sealtext_notice'),
  WHATSAPP_DIRECT_TEMPLATE: z._default(z.string().check(z.regex(/^[a-z0-9_]{1,60}$/)), 'sealtext_message'),
  /** Alphanumeric sender id where the destination country supports one. */
  SMS_SENDER_ID: z.optional(z.string().check(z.regex(/^[A-Za-z0-9]{1,11}$/))),
  /** The retention archive: categories archived (csv), for how many days, and where (S3 bucket or local folder). */
  ARCHIVE_CATEGORIES: z.pipe(csv, z.array(z.enum(['transactional', 'promotional']))),
  ARCHIVE_RETENTION_DAYS: envInt(0, 36_500, 0),
  ARCHIVE_BUCKET: z.optional(z.string().check(z.minLength(3))),
  ARCHIVE_DIR: optionalName,
  /** Where archived copies wait for the archiver: the sender writes, the archiver and the archive's reader read. */
  ARCHIVE_OUTBOX_TABLE_NAME: optionalName,
  /** Where a free message body is refused for an approved template: none, promotional (default) or all. */
  REQUIRE_APPROVED_TEMPLATES: z._default(z.enum(['none', 'promotional', 'all']), 'promotional'),
  /** Events: the EventBridge bus (AWS) or the file the local stack appends them to. */
  EVENT_BUS_NAME: optionalName,
  EVENT_BUS_FILE: optionalName,
  /** Calling apps and their current scopes, for the publisher: the Cognito user pool (AWS) or the local clients file. */
  USER_POOL_ID: optionalName,
  CLIENTS_FILE: optionalName,
  /** Webhook jobs: the SQS queue (AWS), or `local` for the local stack's in-process queue. */
  WEBHOOK_QUEUE_URL: optionalName,
  /** Fallback triggers (API 1.2 workflows): the publisher schedules, advance-workflows consumes; `local` on the local stack. */
  FALLBACK_QUEUE_URL: optionalName,
  /** The local stack only: webhooks may post to http://127.0.0.1 and localhost. Never set in AWS (the stack does not). */
  WEBHOOK_ALLOW_LOOPBACK: z.pipe(z._default(z.enum(['true', 'false']), 'false'), z.transform((v: 'true' | 'false') => v === 'true')),
  /** Shortens the webhook retry schedule (local stack: 0.2, so the first retry comes after about a second). */
  WEBHOOK_RETRY_SCALE: z._default(z.coerce.number().check(z.minimum(0.001), z.maximum(1)), 1),
});

const schema = z.intersection(base, z.intersection(keySource, smsAdapter));
export type Config = z.infer<typeof schema>;

export function parseConfig(env: NodeJS.ProcessEnv): Config {
  const result = schema.safeParse(env);
  if (!result.success) {
    const fields = result.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new Error(`Invalid Sealtext configuration:\n  ${fields.join('\n  ')}`);
  }
  return result.data;
}

let cached: Config | undefined;
/** The configuration of this process, parsed on first use. */
export function config(): Config {
  cached ??= parseConfig(process.env);
  return cached;
}
