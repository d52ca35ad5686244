import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { GetPublicKeyCommand, SignCommand, type KMSClient } from '@aws-sdk/client-kms';
import type { SealKey, SealSigner } from '../../audit/seal.ts';

/**
 * Seal signatures: ECDSA P-256 with SHA-256 over the seal's message, DER-encoded, exactly what AWS
 * KMS returns for an `ECC_NIST_P256` key with `ECDSA_SHA_256` and `MessageType: RAW`, and what
 * `openssl dgst -sha256 -verify` checks. In AWS only the sealer's role may call kms:Sign.
 */
export class KmsSealSigner implements SealSigner, SealKey {
  private pem: Promise<string> | undefined;
  constructor(private readonly kms: KMSClient, private readonly keyId: string) {}

  async sign(message: Buffer): Promise<Buffer> {
    const out = await this.kms.send(new SignCommand({ KeyId: this.keyId, Message: message, MessageType: 'RAW', SigningAlgorithm: 'ECDSA_SHA_256' }));
    if (!out.Signature) throw new Error('KMS returned no signature');
    return Buffer.from(out.Signature);
  }

  publicKeyPem(): Promise<string> {
    this.pem ??= this.kms.send(new GetPublicKeyCommand({ KeyId: this.keyId })).then((out) => {
      if (!out.PublicKey) throw new Error('KMS returned no public key');
      return createPublicKey({ key: Buffer.from(out.PublicKey), format: 'der', type: 'spki' }).export({ type: 'spki', format: 'pem' }).toString();
    });
    this.pem.catch(() => (this.pem = undefined));
    return this.pem;
  }
}

/** The local stack's signing key: a P-256 key in a PEM file under `.local/`, created on first start. */
export class LocalSealSigner implements SealSigner, SealKey {
  private readonly key: KeyObject;
  constructor(file: string) {
    this.key = createPrivateKey(readFileSync(file, 'utf8'));
  }

  async sign(message: Buffer): Promise<Buffer> {
    return sign('sha256', message, this.key);
  }

  async publicKeyPem(): Promise<string> {
    return createPublicKey(this.key).export({ type: 'spki', format: 'pem' }).toString();
  }
}

export function ensureLocalSigningKey(file: string): void {
  if (existsSync(file)) return;
  mkdirSync(dirname(file), { recursive: true });
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
}
