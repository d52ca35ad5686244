import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Envelope encryption: a fresh AES-256 data key per record, wrapped by the key service
 * (KMS in AWS, a raw AES keyring locally). The encryption context names the record and the
 * purpose (never PII) and is bound both to the wrapped key and, as AAD, to the ciphertext,
 * so a ciphertext moved to another record fails to open.
 */
export type EncryptionContext = Record<string, string>;

export interface KeyWrapper {
  generateDataKey(context: EncryptionContext): Promise<{ plaintext: Buffer; wrapped: Buffer }>;
  unwrapDataKey(wrapped: Buffer, context: EncryptionContext): Promise<Buffer>;
}

export class DecryptionFailed extends Error {
  constructor() {
    super('Ciphertext could not be decrypted with this context');
    this.name = 'DecryptionFailed';
  }
}

const VERSION = 'v1';

/** Canonical form: keys sorted, so the same context always gives the same AAD. */
export function canonicalContext(context: EncryptionContext): Buffer {
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
    const { plaintext: dataKey, wrapped } = await this.wrapper.generateDataKey(context);
    try {
      const sealed = aesGcmSeal(dataKey, Buffer.from(plaintext, 'utf8'), canonicalContext(context));
      return [VERSION, wrapped.toString('base64url'), sealed.toString('base64url')].join('.');
    } finally {
      dataKey.fill(0);
    }
  }

  async open(envelope: string, context: EncryptionContext): Promise<string> {
    const [version, wrapped, sealed] = envelope.split('.');
    if (version !== VERSION || !wrapped || !sealed) throw new DecryptionFailed();
    const dataKey = await this.wrapper.unwrapDataKey(Buffer.from(wrapped, 'base64url'), context);
    try {
      return aesGcmOpen(dataKey, Buffer.from(sealed, 'base64url'), canonicalContext(context)).toString('utf8');
    } finally {
      dataKey.fill(0);
    }
  }
}
