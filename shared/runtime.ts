import { KMSClient } from '@aws-sdk/client-kms';
import { SNSClient } from '@aws-sdk/client-sns';
import { config, type Config } from './config.ts';
import { CachingKeyWrapper } from './crypto/caching-key-wrapper.ts';
import { Envelope, type KeyWrapper } from './crypto/envelope.ts';
import { KmsKeyWrapper, kmsSecretKeys } from './crypto/kms-keyring.ts';
import { LocalKeyWrapper, localSecretKeys } from './crypto/local-keyring.ts';
import type { SecretKeys } from './crypto/secret-keys.ts';
import type { AuditLog } from './audit/event.ts';
import type { MessageDeps } from './messages/deps.ts';
import type { OtpDeps } from './otp/deps.ts';
import { DynamoAuditLog } from './store/audit-store.ts';
import { DynamoMessageStore } from './store/message-store.ts';
import { parseLimitOverrides } from './ratelimit/limits.ts';
import type { SmsSender } from './sms/sender.ts';
import { OutboxSender } from './sms/outbox.ts';
import { SnsSender } from './sms/sns.ts';
import { createDocumentClient } from './store/client.ts';
import { DynamoVerificationStore } from './store/verification-store.ts';

/**
 * Wires the adapters the configuration names. Runs once per cold start (the promise is cached),
 * so the HMAC keys are unwrapped once and clients are reused across invocations.
 */
let otp: Promise<OtpDeps> | undefined;
let dynamo: ReturnType<typeof createDocumentClient> | undefined;

export function dynamoClients(cfg: Config = config()) {
  dynamo ??= createDocumentClient(cfg.DYNAMODB_ENDPOINT);
  return dynamo;
}

let wrapper: KeyWrapper | undefined;
function keyWrapper(cfg: Config): KeyWrapper {
  wrapper ??= new CachingKeyWrapper(
    cfg.KEY_SOURCE === 'local' ? new LocalKeyWrapper(cfg.LOCAL_KEYS_FILE) : new KmsKeyWrapper(new KMSClient({}), cfg.KMS_KEY_ARN),
  );
  return wrapper;
}

function secretKeys(cfg: Config): Promise<SecretKeys> {
  if (cfg.KEY_SOURCE === 'local') return Promise.resolve(localSecretKeys(cfg.LOCAL_KEYS_FILE));
  if (!cfg.WRAPPED_CODE_HASH_KEY || !cfg.WRAPPED_BLIND_INDEX_KEY) {
    throw new Error('This function was deployed without the wrapped HMAC keys it needs');
  }
  return kmsSecretKeys(new KMSClient({}), cfg.KMS_KEY_ARN, { codeHashKey: cfg.WRAPPED_CODE_HASH_KEY, blindIndexKey: cfg.WRAPPED_BLIND_INDEX_KEY });
}

function smsSender(cfg: Config): SmsSender {
  return cfg.SMS_ADAPTER === 'outbox' ? new OutboxSender(cfg.OUTBOX_FILE) : new SnsSender(new SNSClient({}), cfg.SMS_SENDER_ID);
}

/** Store and clock only: for routes that neither hash, encrypt nor text (no key material loaded). */
export function otpStoreDeps(): Pick<OtpDeps, 'store' | 'now'> {
  const cfg = config();
  return { store: new DynamoVerificationStore(dynamoClients(cfg).doc, cfg.DATA_TABLE_NAME), now: Date.now };
}

let audit: AuditLog | undefined;
export function auditLog(cfg: Config = config()): AuditLog {
  if (!cfg.AUDIT_TABLE_NAME) throw new Error('AUDIT_TABLE_NAME is not configured for this function');
  audit ??= new DynamoAuditLog(dynamoClients(cfg).doc, { audit: cfg.AUDIT_TABLE_NAME, data: cfg.DATA_TABLE_NAME }, cfg.AUDIT_RETENTION_DAYS);
  return audit;
}

/** Store and clock only: the sender's reads and the recipient page (no key material loaded). */
export function messageStoreDeps(): Pick<MessageDeps, 'store' | 'now'> {
  const cfg = config();
  return { store: new DynamoMessageStore(dynamoClients(cfg).doc, cfg.DATA_TABLE_NAME), now: Date.now };
}

let messages: Promise<MessageDeps> | undefined;
export function messageDeps(): Promise<MessageDeps> {
  messages ??= (async () => {
    const cfg = config();
    return {
      ...messageStoreDeps(),
      envelope: new Envelope(keyWrapper(cfg)),
      keys: await secretKeys(cfg),
      sms: smsSender(cfg),
      audit: auditLog(cfg),
      limits: parseLimitOverrides(cfg.RATE_LIMITS),
      allowedCountries: new Set(cfg.ALLOWED_COUNTRIES),
      publicBaseUrl: cfg.PUBLIC_BASE_URL ?? '',
    };
  })();
  messages.catch(() => (messages = undefined));
  return messages;
}

export function otpDeps(): Promise<OtpDeps> {
  otp ??= (async () => {
    const cfg = config();
    return {
      ...otpStoreDeps(),
      envelope: new Envelope(keyWrapper(cfg)),
      keys: await secretKeys(cfg),
      sms: smsSender(cfg),
      limits: parseLimitOverrides(cfg.RATE_LIMITS),
      allowedCountries: new Set(cfg.ALLOWED_COUNTRIES),
      ...(cfg.OTP_WEB_DOMAIN ? { webDomain: cfg.OTP_WEB_DOMAIN } : {}),
    };
  })();
  // A failed cold start must not be cached forever.
  otp.catch(() => (otp = undefined));
  return otp;
}
