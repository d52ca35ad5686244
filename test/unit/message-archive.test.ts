import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { LocalMessageArchive } from '#shared/adapters/archive/message-archives';
import { S3MessageArchive } from '#shared/adapters/archive/s3-message-archive';
import type { ArchivedMessage } from '#shared/messages/archive';

const s3 = mockClient(S3Client);
const record: ArchivedMessage = { messageId: 'M'.repeat(22), clientId: 'acme', sealedBody: 'sealed', sentAt: 1_763_892_000_000, toMask: '+4474******56', until: 1_763_892_000_000 + 30 * 86_400_000 };

describe('message archive adapters', () => {
  beforeEach(() => s3.reset());

  it('S3: one object per message, locked in compliance mode until the end of its retention, with a checksum', async () => {
    s3.on(PutObjectCommand).resolves({});
    await new S3MessageArchive(new S3Client({ region: 'eu-west-1' }), 'archive-bucket').put(record);
    expect(s3.commandCalls(PutObjectCommand)[0]!.args[0].input).toEqual({
      Bucket: 'archive-bucket', Key: `messages/${record.messageId}.json`, Body: JSON.stringify(record), ContentType: 'application/json', ChecksumAlgorithm: 'SHA256',
      ObjectLockMode: 'COMPLIANCE', ObjectLockRetainUntilDate: new Date(record.until),
    });
  });

  it('S3: a missing record is undefined, other faults pass through', async () => {
    s3.on(GetObjectCommand).rejects(new NoSuchKey({ message: 'no', $metadata: {} }));
    expect(await new S3MessageArchive(new S3Client({ region: 'eu-west-1' }), 'b').get('x')).toBeUndefined();
    s3.reset();
    s3.on(GetObjectCommand).rejects(Object.assign(new Error('slow'), { name: 'SlowDown' }));
    await expect(new S3MessageArchive(new S3Client({ region: 'eu-west-1' }), 'b').get('x')).rejects.toMatchObject({ name: 'SlowDown' });
  });

  it('the wiring of an AWS stage with an archive loads the S3 adapter on the first call, and uses it', async () => {
    Object.assign(process.env, {
      DATA_TABLE_NAME: 'data', KEY_SOURCE: 'kms', KMS_KEY_ARN: 'arn:aws:kms:eu-west-1:111122223333:key/x', SMS_ADAPTER: 'sns', AWS_REGION: 'eu-west-1',
      ARCHIVE_BUCKET: 'archive-bucket', ARCHIVE_CATEGORIES: 'transactional', ARCHIVE_RETENTION_DAYS: '30',
    });
    const { messageArchiveDeps } = await import('#shared/wiring/archive-runtime');
    const deps = messageArchiveDeps();
    expect(deps.archivePolicy).toEqual({ categories: ['transactional'], retentionDays: 30 });
    s3.on(PutObjectCommand).resolves({});
    await deps.archive!.put(record);
    expect(s3.commandCalls(PutObjectCommand)[0]!.args[0].input).toMatchObject({ Bucket: 'archive-bucket', ObjectLockMode: 'COMPLIANCE' });
  });

  it('local: write-once files; a second write of the same message fails rather than overwrite', async () => {
    const archive = new LocalMessageArchive(mkdtempSync(join(tmpdir(), 'archive-')));
    await archive.put(record);
    expect(await archive.get(record.messageId)).toEqual(record);
    await expect(archive.put({ ...record, sealedBody: 'other' })).rejects.toMatchObject({ code: 'EEXIST' });
    expect(await archive.get('../../etc/passwd')).toBeUndefined();
  });
});
