import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Envelope encryption with AES-256-GCM data keys wrapped by the key service (KMS in AWS, a raw
 * AES keyring locally). The encryption context names the app, the purpose and the record (never
 * PII). All of it is the AAD of the ciphertext, so a ciphertext moved to another record or purpose
 * fails to open; `app` and `purpose` also bind the wrapped data key at the key service, where IAM
 * conditions on them decide which function may unwrap what. Keeping the record out of the key
 * service's context is what lets a data key serve several records (see CachingKeyWrapper).
 */
export type EncryptionContext = { app: 'sealtext'; purpose: string; record: string };
/** The part of the context the key service sees and enforces. */
export type KeyContext = Record<string, string>;
const keyContextOf = (c: EncryptionContext): KeyContext => ({ app: c.app, purpose: c.purpose });

export interface KeyWrapper {
  generateDataKey(context: KeyContext): Promise<{ plaintext: Buffer; wrapped: Buffer }>;
  unwrapDataKey(wrapped: Buffer, context: KeyContext): Promise<Buffer>;
}

export class DecryptionFailed extends Error {
  constructor() {
    super('Ciphertext could not be decrypted with this context');
    this.name = 'DecryptionFailed';
  }
}

const VERSION = 'v1';

/** Canonical form: keys sorted, so the same context always gives the same AAD. */
export function canonicalContext(context: Record<string, string>): Buffer {
  const sorted = Object.keys(context).sort().map((k) => [k, context[k]]);
  return Buffer.from(JSON.stringify(sorted));
}

export function aesGcmSeal(key: Buffer, plaintext: Buffer, aad: Buffer): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

export function aesGcmOpen(key: Buffer, sealed: Buffer, aad: Buffer): Buffer {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
    decipher.setAAD(aad);
    decipher.setAuthTag(sealed.subarray(12, 28));
    return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]);
  } catch {
    throw new DecryptionFailed();
  }
}

export class Envelope {
  constructor(private readonly wrapper: KeyWrapper) {}

  async seal(plaintext: string, context: EncryptionContext): Promise<string> {
    const { plaintext: dataKey, wrapped } = await this.wrapper.generateDataKey(keyContextOf(context));
    const sealed = aesGcmSeal(dataKey, Buffer.from(plaintext, 'utf8'), canonicalContext(context));
    return [VERSION, wrapped.toString('base64url'), sealed.toString('base64url')].join('.');
  }

  async open(envelope: string, context: EncryptionContext): Promise<string> {
    return (await this.prepareOpen(envelope, context))();
  }

  /**
   * Unwraps the data key now (the key-service call, which can fail) and returns a function that
   * decrypts locally later (which can't, short of tampering). Lets a caller do everything fallible
   * before an irreversible write and decrypt only after it committed.
   */
  async prepareOpen(envelope: string, context: EncryptionContext): Promise<() => string> {
    const [version, wrapped, sealed] = envelope.split('.');
    if (version !== VERSION || !wrapped || !sealed) throw new DecryptionFailed();
    const dataKey = await this.wrapper.unwrapDataKey(Buffer.from(wrapped, 'base64url'), keyContextOf(context));
    return () => aesGcmOpen(dataKey, Buffer.from(sealed, 'base64url'), canonicalContext(context)).toString('utf8');
  }
}
