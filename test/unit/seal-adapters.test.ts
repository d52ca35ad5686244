import { createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { GetPublicKeyCommand, KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { HeadObjectCommand, ListObjectsV2Command, NotFound, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { S3SealArchive } from '#shared/adapters/archive/seal-archives';
import { GENESIS, merkleRoot, sealHash, sealMessage, type Seal, type SealHeader } from '#shared/audit/seal';
import { KmsSealSigner } from '#shared/adapters/crypto/seal-signers';

/** The AWS adapters of the sealed audit trail, as contracts: the exact commands and what they return. */
const kms = mockClient(KMSClient);
const s3 = mockClient(S3Client);
const keyArn = 'arn:aws:kms:eu-west-1:111122223333:key/seal';
const entries = ['2026-11-22T10:00:00.000Z#a|' + 'a'.repeat(64), '2026-11-22T10:00:01.000Z#b|' + 'b'.repeat(64)];
const header: SealHeader = {
  v: 1, seq: 1, prevHash: GENESIS, prevSealedAt: null, root: merkleRoot(entries), count: 2, firstAt: '2026-11-22T10:00:00.000Z',
  lastAt: '2026-11-22T10:00:01.000Z', sealedAt: '2026-11-22T10:01:00.000Z', scanFrom: '2026-11-21T10:01:00.000Z',
  scannedThrough: '2026-11-22T10:01:00.000Z', retentionDays: 400, pages: 1,
};

describe('KMS seal signer contract', () => {
  beforeEach(() => kms.reset());

  it('signs the seal message raw with ECDSA_SHA_256 on the configured key, and its public key verifies that signature', async () => {
    // KMS's behaviour for an ECC_NIST_P256 key: a DER ECDSA signature over SHA-256 of the message, the public key as DER SPKI.
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    kms.on(SignCommand).callsFake((input: { Message: Uint8Array }) => ({ Signature: sign('sha256', Buffer.from(input.Message), privateKey), KeyId: keyArn, SigningAlgorithm: 'ECDSA_SHA_256' }));
    kms.on(GetPublicKeyCommand).resolves({ PublicKey: publicKey.export({ type: 'spki', format: 'der' }), KeyId: keyArn });
    const signer = new KmsSealSigner(new KMSClient({ region: 'eu-west-1' }), keyArn);

    const signature = await signer.sign(sealMessage(header));
    expect(kms.commandCalls(SignCommand)[0]!.args[0].input).toEqual({ KeyId: keyArn, Message: sealMessage(header), MessageType: 'RAW', SigningAlgorithm: 'ECDSA_SHA_256' });
    const pem = await signer.publicKeyPem();
    expect(pem).toContain('BEGIN PUBLIC KEY');
    expect(verify('sha256', sealMessage(header), createPublicKey(pem), signature)).toBe(true);
    // Fetched once per cold start.
    await signer.publicKeyPem();
    expect(kms.commandCalls(GetPublicKeyCommand)).toHaveLength(1);
  });

  it('fails loudly when KMS returns no signature, and fetches the public key again after a failure', async () => {
    kms.on(SignCommand).resolves({});
    await expect(new KmsSealSigner(new KMSClient({ region: 'eu-west-1' }), keyArn).sign(Buffer.from('x'))).rejects.toThrow('no signature');
    kms.on(GetPublicKeyCommand).rejectsOnce(new Error('throttled')).resolves({ PublicKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'der' }) });
    const signer = new KmsSealSigner(new KMSClient({ region: 'eu-west-1' }), keyArn);
    await expect(signer.publicKeyPem()).rejects.toThrow('throttled');
    await expect(signer.publicKeyPem()).resolves.toContain('BEGIN PUBLIC KEY');
  });
});

describe('S3 seal archive contract', () => {
  beforeEach(() => s3.reset());
  const seal: Seal = { header, hash: sealHash(header), signature: 'c2ln', entries };

  it('writes one object per seal under seals/, with a checksum (Object Lock requires one) and the signed message', async () => {
    s3.on(PutObjectCommand).resolves({});
    await new S3SealArchive(new S3Client({ region: 'eu-west-1' }), 'seal-bucket').put(seal);
    const input = s3.commandCalls(PutObjectCommand)[0]!.args[0].input;
    expect(input).toMatchObject({ Bucket: 'seal-bucket', Key: 'seals/000000000001.json', ContentType: 'application/json', ChecksumAlgorithm: 'SHA256' });
    const file = JSON.parse(input.Body as string);
    expect(file).toMatchObject({ signedMessage: sealMessage(header).toString('utf8'), signature: 'c2ln', entries, algorithm: 'ECDSA_SHA_256' });
  });

  it('answers has() from HeadObject (NotFound is false, anything else is an error) and lists every page of seqs', async () => {
    const archive = new S3SealArchive(new S3Client({ region: 'eu-west-1' }), 'seal-bucket');
    s3.on(HeadObjectCommand, { Key: 'seals/000000000001.json' }).resolves({});
    s3.on(HeadObjectCommand, { Key: 'seals/000000000002.json' }).rejects(new NotFound({ message: 'Not Found', $metadata: {} }));
    s3.on(HeadObjectCommand, { Key: 'seals/000000000003.json' }).rejects(new Error('AccessDenied'));
    expect(await archive.has(1)).toBe(true);
    expect(await archive.has(2)).toBe(false);
    await expect(archive.has(3)).rejects.toThrow('AccessDenied');

    s3.on(ListObjectsV2Command, { ContinuationToken: undefined }).resolves({ Contents: [{ Key: 'seals/000000000001.json' }], NextContinuationToken: 't' });
    s3.on(ListObjectsV2Command, { ContinuationToken: 't' }).resolves({ Contents: [{ Key: 'seals/000000000002.json' }] });
    expect(await archive.seqs()).toEqual([1, 2]);
    expect(s3.commandCalls(ListObjectsV2Command).every((c) => c.args[0].input.Prefix === 'seals/' && c.args[0].input.Bucket === 'seal-bucket')).toBe(true);
  });
});
