import { DecryptCommand, GenerateDataKeyCommand, InvalidCiphertextException, type KMSClient } from '@aws-sdk/client-kms';
import { DecryptionFailed, type KeyContext, type KeyWrapper } from '../../crypto/envelope.ts';
import type { SecretKeys } from '../../crypto/secret-keys.ts';

/** Data keys from the customer managed key; the encryption context is enforced by KMS too. */
export class KmsKeyWrapper implements KeyWrapper {
  constructor(private readonly kms: KMSClient, private readonly keyArn: string) {}

  async generateDataKey(context: KeyContext) {
    const out = await this.kms.send(
      new GenerateDataKeyCommand({ KeyId: this.keyArn, KeySpec: 'AES_256', EncryptionContext: context }),
    );
    if (!out.Plaintext || !out.CiphertextBlob) throw new Error('KMS returned no data key');
    return { plaintext: Buffer.from(out.Plaintext), wrapped: Buffer.from(out.CiphertextBlob) };
  }

  async unwrapDataKey(wrapped: Buffer, context: KeyContext) {
    try {
      const out = await this.kms.send(
        new DecryptCommand({ KeyId: this.keyArn, CiphertextBlob: wrapped, EncryptionContext: context }),
      );
      if (!out.Plaintext) throw new Error('KMS returned no plaintext');
      return Buffer.from(out.Plaintext);
    } catch (error) {
      if (error instanceof InvalidCiphertextException) throw new DecryptionFailed();
      throw error;
    }
  }
}

/** The encryption contexts the deploy-time custom resource uses to wrap the HMAC keys. */
export const HMAC_KEY_CONTEXT = {
  codeHash: { app: 'sealtext', purpose: 'otp-code-hash' },
  blindIndex: { app: 'sealtext', purpose: 'phone-blind-index' },
} as const satisfies Record<string, KeyContext>;

/**
 * Unwraps the deploy-time HMAC keys this function was given (one KMS call each per cold start, none
 * per request). A function holds only the keys it uses (infra/permissions.ts): one it was not given
 * throws when touched, loudly, instead of being unwrapped with a permission it lacks.
 */
export async function kmsSecretKeys(
  kms: KMSClient,
  keyArn: string,
  wrapped: { codeHashKey?: string | undefined; blindIndexKey?: string | undefined },
): Promise<SecretKeys> {
  const wrapper = new KmsKeyWrapper(kms, keyArn);
  const unwrap = (b64: string | undefined, context: KeyContext) => (b64 ? wrapper.unwrapDataKey(Buffer.from(b64, 'base64'), context) : Promise.resolve(undefined));
  const [codeHashKey, blindIndexKey] = await Promise.all([unwrap(wrapped.codeHashKey, HMAC_KEY_CONTEXT.codeHash), unwrap(wrapped.blindIndexKey, HMAC_KEY_CONTEXT.blindIndex)]);
  return withOnly({ codeHashKey, blindIndexKey });
}

/** The keys present; reading an absent one throws (a function deployed without it must not get this far). */
function withOnly(keys: { codeHashKey: Buffer | undefined; blindIndexKey: Buffer | undefined }): SecretKeys {
  const out = {} as SecretKeys;
  for (const name of ['codeHashKey', 'blindIndexKey'] as const) {
    const key = keys[name];
    Object.defineProperty(out, name, {
      enumerable: true,
      get: () => {
        if (!key) throw new Error(`This function was deployed without the ${name === 'codeHashKey' ? 'code-hash' : 'blind-index'} key`);
        return key;
      },
    });
  }
  return out;
}
