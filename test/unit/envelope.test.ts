import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DecryptionFailed, Envelope, type EncryptionContext } from '#shared/crypto/envelope';
import { ensureLocalKeys, LocalKeyWrapper, localSecretKeys } from '#shared/adapters/crypto/local-keyring';

const keysFile = join(mkdtempSync(join(tmpdir(), 'sealtext-keys-')), 'keys.json');
ensureLocalKeys(keysFile);
const envelope = new Envelope(new LocalKeyWrapper(keysFile));
const context: EncryptionContext = { app: 'sealtext', record: 'rec-1', purpose: 'otp-delivery' };

describe('Envelope with the local raw AES keyring', () => {
  it('opens what it sealed, and the ciphertext does not show the plaintext', async () => {
    const sealed = await envelope.seal('+447400123456', context);
    expect(sealed).not.toContain('447400123456');
    expect(await envelope.open(sealed, context)).toBe('+447400123456');
  });

  it('uses a fresh data key and IV each time', async () => {
    expect(await envelope.seal('same', context)).not.toBe(await envelope.seal('same', context));
  });

  it('refuses a ciphertext moved to another record or purpose', async () => {
    const sealed = await envelope.seal('secret', context);
    await expect(envelope.open(sealed, { ...context, record: 'rec-2' })).rejects.toBeInstanceOf(DecryptionFailed);
    await expect(envelope.open(sealed, { ...context, purpose: 'message-body' })).rejects.toBeInstanceOf(DecryptionFailed);
  });

  it('refuses a tampered ciphertext', async () => {
    const sealed = await envelope.seal('secret', context);
    const [v, wrapped, body] = sealed.split('.') as [string, string, string];
    const bytes = Buffer.from(body, 'base64url');
    bytes[bytes.length - 1]! ^= 1;
    await expect(envelope.open([v, wrapped, bytes.toString('base64url')].join('.'), context)).rejects.toBeInstanceOf(DecryptionFailed);
    await expect(envelope.open('v2.x.y', context)).rejects.toBeInstanceOf(DecryptionFailed);
  });

  it('keeps the keys between restarts: a second start reuses the file', () => {
    const before = localSecretKeys(keysFile);
    ensureLocalKeys(keysFile);
    expect(localSecretKeys(keysFile).codeHashKey.equals(before.codeHashKey)).toBe(true);
    expect(before.codeHashKey.equals(before.blindIndexKey)).toBe(false);
  });
});
