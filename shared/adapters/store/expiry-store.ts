import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { queryAll } from './paged-query.ts';
import type { NewAuditEvent } from '../../audit/event.ts';
import type { DueRecord, ExpiryStore } from '../../events/expiry-sweep.ts';
import type { AuditItems } from './audit-items.ts';
import { writeWithEvent } from './conditional-write.ts';
import { EXPIRY_SHARDS } from './receipt-store.ts';
import { recordKey, recordOfKey } from './record-keys.ts';
import { EXPIRY_INDEX } from './tables.ts';

const SWEEP_KEY = { pk: 'SWEEP#EXPIRY', sk: 'SWEEP' };

export class DynamoExpiryStore implements ExpiryStore {
  constructor(readonly doc: DynamoDBDocumentClient, readonly tableName: string, readonly audit: AuditItems) {}

  readonly fromItem = (item: Record<string, unknown> | undefined) => item;

  async due(minute: string): Promise<DueRecord[]> {
    const shards = await Promise.all(Array.from({ length: EXPIRY_SHARDS }, (_, shard) => queryAll(this.doc, {
      TableName: this.tableName, IndexName: EXPIRY_INDEX, KeyConditionExpression: 'expiryBucket = :b', ExpressionAttributeValues: { ':b': `EXP#${minute}#${shard}` },
    })));
    return shards.flat().flatMap((i) => {
      const record = recordOfKey(String(i.pk));
      if (!record) return [];
      return [{
        ...record, bucket: String(i.expiryBucket), clientId: String(i.clientId), status: String(i.status), expiresAt: Number(i.expiresAt),
        ...(typeof i.attempts === 'number' ? { attempts: i.attempts } : {}), ...(typeof i.maxAttempts === 'number' ? { maxAttempts: i.maxAttempts } : {}),
        ...(typeof i.phoneIndex === 'string' ? { phoneIndex: i.phoneIndex } : {}), ...(typeof i.phoneMask === 'string' ? { phoneMask: i.phoneMask } : {}),
      }];
    });
  }

  async expire(r: DueRecord, nowMs: number, event: NewAuditEvent): Promise<boolean> {
    const message = r.kind === 'message';
    const out = await writeWithEvent(this, {
      key: recordKey(r.kind, r.id), nowMs, event,
      update: {
        // An expired message's content goes now, not when TTL gets to it.
        UpdateExpression: `SET #expiredAt = :now REMOVE #bucket${message ? ', #body, #codeHash, #codeExp' : ''}`,
        ConditionExpression: message
          ? '#bucket = :bucket AND #status IN (:sent, :opened) AND #expiresAt <= :now'
          : '#bucket = :bucket AND #status = :pending AND #expiresAt <= :now AND #attempts < #maxAttempts',
        ExpressionAttributeNames: {
          '#expiredAt': 'expiredAt', '#bucket': 'expiryBucket', '#status': 'status', '#expiresAt': 'expiresAt',
          ...(message ? { '#body': 'sealedBody', '#codeHash': 'openCodeHash', '#codeExp': 'openCodeExpiresAt' } : { '#attempts': 'attempts', '#maxAttempts': 'maxAttempts' }),
        },
        ExpressionAttributeValues: { ':now': nowMs, ':bucket': r.bucket, ...(message ? { ':sent': 'sent', ':opened': 'opened' } : { ':pending': 'pending' }) },
      },
    });
    return out.ok;
  }

  async lastSwept(): Promise<string | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: SWEEP_KEY, ConsistentRead: true }));
    return typeof out.Item?.minute === 'string' ? out.Item.minute : undefined;
  }

  async setLastSwept(minute: string): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { ...SWEEP_KEY, minute } }));
  }
}
