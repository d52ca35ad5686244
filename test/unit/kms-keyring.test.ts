import { DecryptCommand, GenerateDataKeyCommand, InvalidCiphertextException, KMSClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DecryptionFailed, Envelope, type EncryptionContext } from '#shared/crypto/envelope';
import { HMAC_KEY_CONTEXT, KmsKeyWrapper, kmsSecretKeys } from '#shared/adapters/crypto/kms-keyring';

const KEY = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const kms = mockClient(KMSClient);
const context: EncryptionContext = { app: 'sealtext', record: 'rec-1', purpose: 'otp-delivery' };
const keyContext = { app: 'sealtext', purpose: 'otp-delivery' };

describe('KMS adapter contract', () => {
  beforeEach(() => kms.reset());

  it('asks KMS for an AES-256 data key under the CMK with the app and purpose as context, and decrypts with the same', async () => {
    // Prepare: KMS hands out a data key and later returns it for that wrapped blob.
    const dataKey = Buffer.alloc(32, 9);
    kms.on(GenerateDataKeyCommand).resolves({ Plaintext: new Uint8Array(dataKey), CiphertextBlob: new Uint8Array([1, 2, 3]) });
    kms.on(DecryptCommand).callsFake(async () => ({ Plaintext: new Uint8Array(dataKey) }));
    const envelope = new Envelope(new KmsKeyWrapper(new KMSClient({ region: 'eu-west-1' }), KEY));
    // Act
    const sealed = await envelope.seal('+447400123456', context);
    const opened = await envelope.open(sealed, context);
    // Assess
    expect(opened).toBe('+447400123456');
    expect(kms.commandCalls(GenerateDataKeyCommand)[0]!.args[0].input).toEqual({ KeyId: KEY, KeySpec: 'AES_256', EncryptionContext: keyContext });
    const decrypt = kms.commandCalls(DecryptCommand)[0]!.args[0].input;
    expect(decrypt).toMatchObject({ KeyId: KEY, EncryptionContext: keyContext });
    expect(Buffer.from(decrypt.CiphertextBlob!)).toEqual(Buffer.from([1, 2, 3]));
  });

  it('turns InvalidCiphertextException (wrong context) into DecryptionFailed', async () => {
    kms.on(DecryptCommand).rejects(new InvalidCiphertextException({ message: 'bad', $metadata: {} }));
    const wrapper = new KmsKeyWrapper(new KMSClient({ region: 'eu-west-1' }), KEY);
    await expect(wrapper.unwrapDataKey(Buffer.from([1]), keyContext)).rejects.toBeInstanceOf(DecryptionFailed);
  });

  it('unwraps the two deploy-time HMAC keys with their own contexts, once', async () => {
    kms.on(DecryptCommand, { EncryptionContext: HMAC_KEY_CONTEXT.codeHash }).resolves({ Plaintext: new Uint8Array(32).fill(1) });
    kms.on(DecryptCommand, { EncryptionContext: HMAC_KEY_CONTEXT.blindIndex }).resolves({ Plaintext: new Uint8Array(32).fill(2) });
    const keys = await kmsSecretKeys(new KMSClient({ region: 'eu-west-1' }), KEY, {
      codeHashKey: Buffer.from('a').toString('base64'),
      blindIndexKey: Buffer.from('b').toString('base64'),
    });
    expect(keys.codeHashKey[0]).toBe(1);
    expect(keys.blindIndexKey[0]).toBe(2);
    expect(kms.commandCalls(DecryptCommand)).toHaveLength(2);
  });

  it('unwraps only the keys a function was given; touching the other throws instead of calling KMS', async () => {
    kms.on(DecryptCommand).resolves({ Plaintext: new Uint8Array(32).fill(2) });
    const keys = await kmsSecretKeys(new KMSClient({ region: 'eu-west-1' }), KEY, { blindIndexKey: Buffer.from('b').toString('base64') });
    expect(keys.blindIndexKey[0]).toBe(2);
    expect(() => keys.codeHashKey).toThrow('deployed without the code-hash key');
    expect(kms.commandCalls(DecryptCommand)).toHaveLength(1);
    expect(kms.commandCalls(DecryptCommand)[0]!.args[0].input.EncryptionContext).toEqual(HMAC_KEY_CONTEXT.blindIndex);
  });
});
