import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HeadObjectCommand, ListObjectsV2Command, NotFound, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { sealFile, type Seal, type SealArchive } from '../../audit/seal.ts';

const name = (seq: number) => `${String(seq).padStart(12, '0')}.json`;
const PREFIX = 'seals/';

/**
 * Every seal also goes to an S3 bucket with Object Lock in compliance mode (retention = the audit
 * retention), so nobody, the account's administrators included, can delete or rewrite a seal
 * before it expires: a table admin who deletes the newest seals is found out (a deleted tail).
 */
export class S3SealArchive implements SealArchive {
  constructor(private readonly s3: S3Client, private readonly bucket: string) {}

  async put(seal: Seal): Promise<void> {
    await this.s3.send(new PutObjectCommand({
      Bucket: this.bucket,
      Key: `${PREFIX}${name(seal.header.seq)}`,
      Body: JSON.stringify(sealFile(seal)),
      ContentType: 'application/json',
      // Object Lock uploads must carry a checksum.
      ChecksumAlgorithm: 'SHA256',
    }));
  }

  async has(seq: number): Promise<boolean> {
    try {
      await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: `${PREFIX}${name(seq)}` }));
      return true;
    } catch (error) {
      if (error instanceof NotFound || (error as { name?: string }).name === 'NotFound') return false;
      throw error;
    }
  }

  async seqs(): Promise<number[]> {
    const out: number[] = [];
    let token: string | undefined;
    do {
      const page = await this.s3.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: PREFIX, ContinuationToken: token }));
      for (const o of page.Contents ?? []) if (o.Key) out.push(Number(o.Key.slice(PREFIX.length, -5)));
      token = page.NextContinuationToken;
    } while (token);
    return out;
  }
}

/** The local stand-in: one file per seal under `.local/seals/`, never overwritten. */
export class LocalSealArchive implements SealArchive {
  constructor(private readonly dir: string) {}

  async put(seal: Seal): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    try {
      writeFileSync(join(this.dir, name(seal.header.seq)), `${JSON.stringify(sealFile(seal), null, 1)}\n`, { flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }

  async has(seq: number): Promise<boolean> {
    return existsSync(join(this.dir, name(seq)));
  }

  async seqs(): Promise<number[]> {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir).filter((f) => /^\d{12}\.json$/.test(f)).map((f) => Number(f.slice(0, 12)));
  }
}
