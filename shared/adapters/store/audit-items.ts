import { randomInt } from 'node:crypto';
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { eventHash, eventKey, type AuditEvent, type AuditTrail, type NewAuditEvent } from '../../audit/event.ts';
import { newId } from '../../crypto/ids.ts';
import type { TransactItem } from './rate-limit-ops.ts';

/**
 * Writes audit events into the audit table (PutItem only). Events are spread over AUDIT_SHARDS
 * partitions per hour, `E#<hour>#<shard>`, sorted by `<at>#<id>`: no two writers share an item,
 * no partition takes every write, and the sealer reads an hour back with AUDIT_SHARDS queries.
 */
export const AUDIT_SHARDS = 16;
export const eventPartition = (at: string, shard: number) => `E#${at.slice(0, 13)}#${String(shard).padStart(2, '0')}`;

function auditEventItem(event: NewAuditEvent, atMs: number, retentionDays: number) {
  const unhashed = { ...event, id: newId(), at: new Date(atMs).toISOString() };
  const stored: AuditEvent = { ...unhashed, hash: eventHash(unhashed) };
  return { pk: eventPartition(stored.at, randomInt(AUDIT_SHARDS)), sk: eventKey(stored), ...stored, ttl: Math.ceil(atMs / 1000) + retentionDays * 86_400 };
}

export class AuditItems implements AuditTrail {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string | undefined,
    private readonly retentionDays: number,
    readonly now: () => number = Date.now,
  ) {}

  /** The event as one more item of the action's own transaction, timed by the server clock. */
  put(event: NewAuditEvent): TransactItem {
    if (!this.tableName) throw new Error('AUDIT_TABLE_NAME is not configured for this function');
    return { Put: { TableName: this.tableName, Item: auditEventItem(event, this.now(), this.retentionDays), ConditionExpression: 'attribute_not_exists(pk)' } };
  }

  async record(event: NewAuditEvent): Promise<void> {
    await this.doc.send(new PutCommand(this.put(event).Put!));
  }
}
