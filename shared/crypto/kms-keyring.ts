import { DecryptCommand, GenerateDataKeyCommand, InvalidCiphertextException, type KMSClient } from '@aws-sdk/client-kms';
import { DecryptionFailed, type KeyContext, type KeyWrapper } from './envelope.ts';
import type { SecretKeys } from './secret-keys.ts';

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

/** Unwraps the deploy-time HMAC keys: two KMS calls per cold start, none per request. */
export async function kmsSecretKeys(
  kms: KMSClient,
  keyArn: string,
  wrapped: { codeHashKey: string; blindIndexKey: string },
): Promise<SecretKeys> {
  const wrapper = new KmsKeyWrapper(kms, keyArn);
  const [codeHashKey, blindIndexKey] = await Promise.all([
    wrapper.unwrapDataKey(Buffer.from(wrapped.codeHashKey, 'base64'), HMAC_KEY_CONTEXT.codeHash),
    wrapper.unwrapDataKey(Buffer.from(wrapped.blindIndexKey, 'base64'), HMAC_KEY_CONTEXT.blindIndex),
  ]);
  return { codeHashKey, blindIndexKey };
}
