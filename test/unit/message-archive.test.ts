import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { LocalMessageArchive } from '#shared/adapters/archive/message-archives';
import { S3MessageArchive } from '#shared/adapters/archive/s3-message-archive';
import { DeleteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { moveToArchive, type ArchivedMessage } from '#shared/messages/archive';

const s3 = mockClient(S3Client);
const record: ArchivedMessage = { messageId: 'M'.repeat(22), clientId: 'acme', sealedBody: 'sealed', sentAt: 1_763_892_000_000, toMask: '+4474******56', until: 1_763_892_000_000 + 30 * 86_400_000 };

describe('message archive adapters', () => {
  beforeEach(() => s3.reset());

  it('S3: one object per message, created only if absent, locked in compliance mode until the end of its retention, with a checksum', async () => {
    s3.on(PutObjectCommand).resolves({});
    await new S3MessageArchive(new S3Client({ region: 'eu-west-1' }), 'archive-bucket').put(record);
    expect(s3.commandCalls(PutObjectCommand)[0]!.args[0].input).toEqual({
      Bucket: 'archive-bucket', Key: `messages/${record.messageId}.json`, Body: JSON.stringify(record), ContentType: 'application/json', ChecksumAlgorithm: 'SHA256',
      ObjectLockMode: 'COMPLIANCE', ObjectLockRetainUntilDate: new Date(record.until), IfNoneMatch: '*',
    });
  });

  it('S3: a copy already archived (412 on a repeated delivery) is done; a conflicting concurrent write (409) and other faults pass through to be retried', async () => {
    const archive = new S3MessageArchive(new S3Client({ region: 'eu-west-1' }), 'archive-bucket');
    s3.on(PutObjectCommand).rejects(Object.assign(new Error('At least one of the pre-conditions you specified did not hold'), { name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } }));
    await expect(archive.put(record)).resolves.toBeUndefined();
    s3.reset();
    s3.on(PutObjectCommand).rejects(Object.assign(new Error('conflict'), { name: 'ConditionalRequestConflict', $metadata: { httpStatusCode: 409 } }));
    await expect(archive.put(record)).rejects.toMatchObject({ name: 'ConditionalRequestConflict' });
    s3.reset();
    s3.on(PutObjectCommand).rejects(Object.assign(new Error('slow'), { name: 'SlowDown', $metadata: { httpStatusCode: 503 } }));
    await expect(archive.put(record)).rejects.toMatchObject({ name: 'SlowDown' });
  });

  it('S3: a missing record is undefined, other faults pass through', async () => {
    s3.on(GetObjectCommand).rejects(new NoSuchKey({ message: 'no', $metadata: {} }));
    expect(await new S3MessageArchive(new S3Client({ region: 'eu-west-1' }), 'b').get('x')).toBeUndefined();
    s3.reset();
    s3.on(GetObjectCommand).rejects(Object.assign(new Error('slow'), { name: 'SlowDown' }));
    await expect(new S3MessageArchive(new S3Client({ region: 'eu-west-1' }), 'b').get('x')).rejects.toMatchObject({ name: 'SlowDown' });
  });

  it('the wiring of an AWS stage with an archive: the archiver loads the S3 adapter on its first call, uses it, then empties the outbox', async () => {
    Object.assign(process.env, {
      DATA_TABLE_NAME: 'data', KEY_SOURCE: 'kms', KMS_KEY_ARN: 'arn:aws:kms:eu-west-1:111122223333:key/x', SMS_ADAPTER: 'sns', AWS_REGION: 'eu-west-1',
      ARCHIVE_BUCKET: 'archive-bucket', ARCHIVE_OUTBOX_TABLE_NAME: 'archive-outbox',
    });
    const { archiverDeps } = await import('#shared/wiring/archive-runtime');
    const dynamo = mockClient(DynamoDBDocumentClient);
    dynamo.on(DeleteCommand).resolves({});
    s3.on(PutObjectCommand).resolves({});
    await moveToArchive(archiverDeps(), record);
    expect(s3.commandCalls(PutObjectCommand)[0]!.args[0].input).toMatchObject({ Bucket: 'archive-bucket', ObjectLockMode: 'COMPLIANCE' });
    expect(dynamo.commandCalls(DeleteCommand).map((c) => c.args[0].input)).toEqual([{ TableName: 'archive-outbox', Key: { messageId: record.messageId } }]);
    dynamo.restore();
  });

  it('the archiver: a copy leaves the outbox only once the archive holds it; a repeat finds it there and still empties the outbox', async () => {
    const archive = new LocalMessageArchive(mkdtempSync(join(tmpdir(), 'archive-')));
    const waiting = new Map([[record.messageId, record]]);
    const outbox = { pending: (id: string) => Promise.resolve(waiting.get(id)), remove: (id: string) => Promise.resolve(void waiting.delete(id)) };
    const failing = { put: () => Promise.reject(new Error('S3 down')), get: () => Promise.resolve(undefined) };
    await expect(moveToArchive({ archive: failing, outbox }, record)).rejects.toThrow('S3 down');
    expect(waiting.has(record.messageId)).toBe(true);
    await moveToArchive({ archive, outbox }, record);
    await moveToArchive({ archive, outbox }, { ...record, sealedBody: 'a replay' });
    expect(waiting.size).toBe(0);
    expect(await archive.get(record.messageId)).toEqual(record);
  });

  it('local: write-once files; a second write of the same message leaves the first', async () => {
    const archive = new LocalMessageArchive(mkdtempSync(join(tmpdir(), 'archive-')));
    await archive.put(record);
    expect(await archive.get(record.messageId)).toEqual(record);
    await archive.put({ ...record, sealedBody: 'other' });
    expect(await archive.get(record.messageId)).toEqual(record);
    expect(await archive.get('../../etc/passwd')).toBeUndefined();
  });
});
