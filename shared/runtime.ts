import { KMSClient } from '@aws-sdk/client-kms';
import { SNSClient } from '@aws-sdk/client-sns';
import { config, type Config } from './config.ts';
import { Envelope, type KeyWrapper } from './crypto/envelope.ts';
import { KmsKeyWrapper, kmsSecretKeys } from './crypto/kms-keyring.ts';
import { LocalKeyWrapper, localSecretKeys } from './crypto/local-keyring.ts';
import type { SecretKeys } from './crypto/secret-keys.ts';
import type { OtpDeps } from './otp/deps.ts';
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

function keyServices(cfg: Config): { wrapper: KeyWrapper; keys: Promise<SecretKeys> } {
  if (cfg.KEY_SOURCE === 'local') {
    return { wrapper: new LocalKeyWrapper(cfg.LOCAL_KEYS_FILE), keys: Promise.resolve(localSecretKeys(cfg.LOCAL_KEYS_FILE)) };
  }
  const kms = new KMSClient({});
  return {
    wrapper: new KmsKeyWrapper(kms, cfg.KMS_KEY_ARN),
    keys: kmsSecretKeys(kms, cfg.KMS_KEY_ARN, { codeHashKey: cfg.WRAPPED_CODE_HASH_KEY, blindIndexKey: cfg.WRAPPED_BLIND_INDEX_KEY }),
  };
}

function smsSender(cfg: Config): SmsSender {
  return cfg.SMS_ADAPTER === 'outbox' ? new OutboxSender(cfg.OUTBOX_FILE) : new SnsSender(new SNSClient({}), process.env.SMS_SENDER_ID);
}

export function otpDeps(): Promise<OtpDeps> {
  otp ??= (async () => {
    const cfg = config();
    const { wrapper, keys } = keyServices(cfg);
    return {
      store: new DynamoVerificationStore(dynamoClients(cfg).doc, cfg.DATA_TABLE_NAME),
      envelope: new Envelope(wrapper),
      keys: await keys,
      sms: smsSender(cfg),
      limits: parseLimitOverrides(cfg.RATE_LIMITS),
      allowedCountries: new Set(cfg.ALLOWED_COUNTRIES),
      ...(cfg.OTP_WEB_DOMAIN ? { webDomain: cfg.OTP_WEB_DOMAIN } : {}),
      now: Date.now,
    };
  })();
  // A failed cold start must not be cached forever.
  otp.catch(() => (otp = undefined));
  return otp;
}
