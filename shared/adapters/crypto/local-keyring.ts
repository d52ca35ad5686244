import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import * as z from '../../zod.ts';
import { aesGcmOpen, aesGcmSeal, canonicalContext, type KeyContext, type KeyWrapper } from '../../crypto/envelope.ts';
import type { SecretKeys } from '../../crypto/secret-keys.ts';

/**
 * The local stack's stand-in for KMS: a raw AES-256 wrapping key and the two HMAC keys,
 * created on first start in .local/keys.json (mode 0600) and kept between restarts.
 */
const KeysFile = z.object({
  version: z.literal(1),
  wrappingKey: z.base64(),
  codeHashKey: z.base64(),
  blindIndexKey: z.base64(),
});
type KeysFile = z.infer<typeof KeysFile>;

export function ensureLocalKeys(path: string): void {
  if (existsSync(path)) return;
  mkdirSync(dirname(path), { recursive: true });
  const keys: KeysFile = {
    version: 1,
    wrappingKey: randomBytes(32).toString('base64'),
    codeHashKey: randomBytes(32).toString('base64'),
    blindIndexKey: randomBytes(32).toString('base64'),
  };
  writeFileSync(path, JSON.stringify(keys, null, 2), { mode: 0o600 });
}

function readKeys(path: string): KeysFile {
  return KeysFile.parse(JSON.parse(readFileSync(path, 'utf8')));
}

export function localSecretKeys(path: string): SecretKeys {
  const keys = readKeys(path);
  return {
    codeHashKey: Buffer.from(keys.codeHashKey, 'base64'),
    blindIndexKey: Buffer.from(keys.blindIndexKey, 'base64'),
  };
}

export class LocalKeyWrapper implements KeyWrapper {
  private readonly wrappingKey: Buffer;
  constructor(path: string) {
    this.wrappingKey = Buffer.from(readKeys(path).wrappingKey, 'base64');
  }

  async generateDataKey(context: KeyContext) {
    const plaintext = randomBytes(32);
    return { plaintext, wrapped: aesGcmSeal(this.wrappingKey, plaintext, canonicalContext(context)) };
  }

  async unwrapDataKey(wrapped: Buffer, context: KeyContext) {
    return aesGcmOpen(this.wrappingKey, wrapped, canonicalContext(context));
  }
}
