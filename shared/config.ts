import { z } from 'zod';

/**
 * The one configuration object, parsed from the environment once per cold start.
 * A bad deploy fails here, loudly, before any request is served.
 */
const csv = z
  .string()
  .default('')
  .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean));

const keySource = z.discriminatedUnion('KEY_SOURCE', [
  z.object({
    KEY_SOURCE: z.literal('local'),
    /** .local/keys.json: raw AES keyring and HMAC keys of the local stack. */
    LOCAL_KEYS_FILE: z.string().min(1),
    /** .local/audit-signing-key.pem: the local stack's seal signing key (P-256). */
    AUDIT_SIGNING_KEY_FILE: z.string().min(1).optional(),
  }),
  z.object({
    KEY_SOURCE: z.literal('kms'),
    KMS_KEY_ARN: z.string().startsWith('arn:'),
    /** HMAC keys, wrapped by the CMK at deploy time (base64 CiphertextBlob); only functions that hash hold them. */
    WRAPPED_CODE_HASH_KEY: z.string().min(1).optional(),
    WRAPPED_BLIND_INDEX_KEY: z.string().min(1).optional(),
    /** The ECC_NIST_P256 SIGN_VERIFY key: the sealer signs with it, the audit readers fetch its public key. */
    AUDIT_SIGNING_KEY_ARN: z.string().startsWith('arn:').optional(),
  }),
]);

const smsAdapter = z.discriminatedUnion('SMS_ADAPTER', [
  z.object({ SMS_ADAPTER: z.literal('outbox'), OUTBOX_FILE: z.string().min(1) }),
  z.object({ SMS_ADAPTER: z.literal('sns') }),
  z.object({
    SMS_ADAPTER: z.literal('eum'),
    /** AWS End User Messaging SMS: the configuration set whose delivery events reach EventBridge. */
    EUM_CONFIGURATION_SET: z.string().min(1),
    EUM_ORIGINATION_IDENTITY: z.string().min(1).optional(),
    EUM_PROTECT_CONFIGURATION_ID: z.string().min(1).optional(),
  }),
]);

const base = z.object({
  STAGE: z.string().regex(/^[a-z][a-z0-9-]{0,19}$/).default('dev'),
  DATA_TABLE_NAME: z.string().min(1),
  /** Only the functions that take an Idempotency-Key get this table. */
  IDEMPOTENCY_TABLE_NAME: z.string().min(1).optional(),
  /** Only the local stack sets this (DynamoDB Local). */
  DYNAMODB_ENDPOINT: z.url().optional(),
  /** ISO 3166 alpha-2 codes; empty means no destination is allowed. */
  ALLOWED_COUNTRIES: csv.pipe(z.array(z.string().regex(/^[A-Z]{2}$/))),
  /** Origin-bound codes (WebOTP): last SMS line `@domain #code`. */
  OTP_WEB_DOMAIN: z
    .string()
    .regex(/^[a-z0-9.-]+\.[a-z]{2,}(:\d+)?$/)
    .optional(),
  /** Overrides of the default rate limits, JSON: { "phoneShort": { "limit": 5, "windowSeconds": 600 }, ... } */
  RATE_LIMITS: z.string().optional(),
  /** Only the functions that write audit events get this table (PutItem only). */
  AUDIT_TABLE_NAME: z.string().min(1).optional(),
  AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1).max(3653).default(400),
  /** Where seals are archived write-once: an S3 bucket with Object Lock (AWS) or a folder (local stack). */
  SEAL_BUCKET: z.string().min(3).optional(),
  SEAL_DIR: z.string().min(1).optional(),
  /** Base URL of the recipient page (`<base>/m/<token>`), e.g. the API stage URL. */
  PUBLIC_BASE_URL: z.url().transform((u) => u.replace(/\/+$/, '')).optional(),
  /** The answer to HELP/INFO texts. */
  HELP_TEXT: z.string().min(1).max(300).default('Sealtext: secure messages and codes. Reply STOP to stop all texts, START to resume. Msg&data rates may apply.'),
  /** Days inbound texts are kept for the business. */
  INBOUND_RETENTION_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  /** Alphanumeric sender id where the destination country supports one. */
  SMS_SENDER_ID: z.string().regex(/^[A-Za-z0-9]{1,11}$/).optional(),
  /** The retention archive: categories archived (csv), for how many days, and where (S3 bucket or local folder). */
  ARCHIVE_CATEGORIES: csv.pipe(z.array(z.enum(['transactional', 'promotional']))),
  ARCHIVE_RETENTION_DAYS: z.coerce.number().int().min(0).max(36_500).default(0),
  ARCHIVE_BUCKET: z.string().min(3).optional(),
  ARCHIVE_DIR: z.string().min(1).optional(),
  /** Where a free message body is refused for an approved template: none, promotional (default) or all. */
  REQUIRE_APPROVED_TEMPLATES: z.enum(['none', 'promotional', 'all']).default('promotional'),
  /** Events: the EventBridge bus (AWS) or the file the local stack appends them to. */
  EVENT_BUS_NAME: z.string().min(1).optional(),
  EVENT_BUS_FILE: z.string().min(1).optional(),
  /** Webhook jobs: the SQS queue (AWS), or `local` for the local stack's in-process queue. */
  WEBHOOK_QUEUE_URL: z.string().min(1).optional(),
  /** The local stack only: webhooks may post to http://127.0.0.1 and localhost. Never set in AWS (the stack does not). */
  WEBHOOK_ALLOW_LOOPBACK: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  /** Shortens the webhook retry schedule (local stack: 0.2, so the first retry comes after about a second). */
  WEBHOOK_RETRY_SCALE: z.coerce.number().min(0.001).max(1).default(1),
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
