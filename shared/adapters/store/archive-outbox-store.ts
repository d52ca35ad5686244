import { DeleteCommand, GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ArchivedMessage, ArchiveOutbox } from '../../messages/archive.ts';
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
