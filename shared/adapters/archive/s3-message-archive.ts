import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { ArchivedMessage, MessageArchive } from '../../messages/archive.ts';
import { archiveKey as key } from './message-archives.ts';

export { S3Client };

/**
 * The archive in AWS: one object per message in a bucket with Object Lock in compliance mode, each
 * locked until the end of its retention (nobody, the account's administrators included, can delete
 * or overwrite it before), SSE-KMS by the bucket's default; a lifecycle rule expires it after.
 */
export class S3MessageArchive implements MessageArchive {
  constructor(private readonly s3: S3Client, private readonly bucket: string) {}

  async put(r: ArchivedMessage): Promise<void> {
    try {
      // Create only (If-None-Match: *): a repeated delivery of the same copy finds it there (412) and
      // leaves it, rather than adding a second locked version.
      await this.s3.send(new PutObjectCommand({
        Bucket: this.bucket, Key: key(r.messageId), Body: JSON.stringify(r), ContentType: 'application/json', ChecksumAlgorithm: 'SHA256',
        ObjectLockMode: 'COMPLIANCE', ObjectLockRetainUntilDate: new Date(r.until), IfNoneMatch: '*',
      }));
    } catch (error) {
      if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 412) return;
      throw error;
    }
  }

  async get(id: string): Promise<ArchivedMessage | undefined> {
    try {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key(id) }));
      return JSON.parse(await out.Body!.transformToString()) as ArchivedMessage;
    } catch (error) {
      if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') return undefined;
      throw error;
    }
  }
}

