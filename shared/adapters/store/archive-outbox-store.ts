import { DeleteCommand, GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { moveToArchive, type ArchivedMessage, type ArchiveOutbox, type MessageArchive } from '../../messages/archive.ts';
import type { TransactItem } from './rate-limit-ops.ts';

/** The outbox item for one archived copy, written in the send's own transaction (message-store.ts). */
export const archiveOutboxPut = (tableName: string, record: ArchivedMessage): TransactItem => ({
  Put: { TableName: tableName, Item: { ...record, ttl: Math.ceil(record.until / 1000) }, ConditionExpression: 'attribute_not_exists(messageId)' },
});

/** The archive outbox table (ARCHIVE_OUTBOX_TABLE in tables.ts): copies waiting for the archiver. */
export class DynamoArchiveOutbox implements ArchiveOutbox {
  constructor(private readonly doc: DynamoDBDocumentClient, private readonly tableName: string) {}

  async pending(messageId: string): Promise<ArchivedMessage | undefined> {
    const item = (await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { messageId }, ConsistentRead: true }))).Item;
    if (!item) return undefined;
    const { ttl: _ttl, ...record } = item;
    return record as ArchivedMessage;
  }

  async remove(messageId: string): Promise<void> {
    await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: { messageId } }));
  }
}

/**
 * One batch of the outbox's stream, as the archiver takes it: each inserted copy into the archive,
 * in order; at the first failure, that record's sequence number, for Lambda to retry from
 * (ReportBatchItemFailures), so nothing after it is lost. Removals (the archiver's own deletes, or
 * TTL at the end of retention) need nothing.
 */
export async function archiveStreamBatch(
  deps: { archive: MessageArchive; outbox: ArchiveOutbox },
  records: DynamoDBStreamEvent['Records'],
): Promise<{ archived: number; failed?: { messageId: string; sequenceNumber: string; error: unknown } }> {
  let archived = 0;
  for (const record of records) {
    const image = record.dynamodb?.NewImage;
    if (record.eventName !== 'INSERT' || !image) continue;
    const { ttl: _ttl, ...copy } = unmarshall(image as Record<string, AttributeValue>);
    try {
      await moveToArchive(deps, copy as ArchivedMessage);
      archived++;
    } catch (error) {
      return { archived, failed: { messageId: String(copy.messageId), sequenceNumber: record.dynamodb!.SequenceNumber!, error } };
    }
  }
  return { archived };
}
