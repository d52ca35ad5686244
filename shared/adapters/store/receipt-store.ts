import { randomInt } from 'node:crypto';
import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { suppressionKey } from './consent-guard.ts';
import { firstConditionFailed } from './transaction-error.ts';
import type { NewAuditEvent } from '../../audit/event.ts';
import { recordOfRef, type ProviderReceipt, type Receipt, type ReceiptStore, type ReceiptTarget } from '../../delivery/receipt.ts';
import type { AuditItems } from './audit-items.ts';
import { writeWithEvent } from './conditional-write.ts';
import { recordKey, recordOfKey } from './record-keys.ts';
import { SMS_INDEX } from './tables.ts';

/**
 * The expiry index key: the minute a record expires, spread over EXPIRY_SHARDS partitions so that
 * no index partition takes every issue of a busy minute (events/expiry-sweep.ts reads them all).
 */
export const EXPIRY_SHARDS = 8;
const expiryMinute = (ms: number) => new Date(ms).toISOString().slice(0, 16);
export const expiryBucket = (expiresAt: number, shard = randomInt(EXPIRY_SHARDS)) => `EXP#${expiryMinute(expiresAt)}#${shard}`;

/** `sent`, with the provider's id for its receipt: one UpdateItem after the provider accepted the SMS. */
export async function markSent(doc: DynamoDBDocumentClient, tableName: string, kind: ReceiptTarget['kind'], id: string, smsId: string, atMs: number): Promise<void> {
  const receipt: Receipt = { status: 'sent', at: atMs };
  await doc.send(new UpdateCommand({
    TableName: tableName,
    Key: recordKey(kind, id),
    UpdateExpression: 'SET #receipt = :r, #smsId = :id',
    // Not on a record erased or failed in between.
    ConditionExpression: 'attribute_exists(pk) AND #status <> :failed',
    ExpressionAttributeNames: { '#receipt': 'receipt', '#smsId': 'smsId', '#status': 'status' },
    ExpressionAttributeValues: { ':r': receipt, ':id': smsId, ':failed': 'failed' },
  }));
}

export class DynamoReceiptStore implements ReceiptStore {
  constructor(
    readonly doc: DynamoDBDocumentClient,
    readonly tableName: string,
    readonly audit: AuditItems,
  ) {}

  readonly fromItem = (item: Record<string, unknown> | undefined) => item;

  async find(smsId: string): Promise<ReceiptTarget | undefined> {
    const out = await this.doc.send(new QueryCommand({
      TableName: this.tableName,
      IndexName: SMS_INDEX,
      KeyConditionExpression: '#smsId = :id',
      ExpressionAttributeNames: { '#smsId': 'smsId' },
      ExpressionAttributeValues: { ':id': smsId },
      Limit: 2,
    }));
    const item = out.Items?.[0];
    const record = item ? recordOfKey(String(item.pk)) : undefined;
    if (!item || !record) return undefined;
    return { ...record, clientId: String(item.clientId), phoneIndex: String(item.phoneIndex), phoneMask: String(item.phoneMask) };
  }

  async findByRef(ref: string): Promise<ReceiptTarget | undefined> {
    const record = recordOfRef(ref);
    if (!record) return undefined;
    const item = (await this.doc.send(new GetCommand({ TableName: this.tableName, Key: recordKey(record.kind, record.id), ProjectionExpression: 'clientId, phoneIndex, phoneMask' }))).Item;
    if (!item) return undefined;
    return { ...record, clientId: String(item.clientId), phoneIndex: String(item.phoneIndex), phoneMask: String(item.phoneMask) };
  }

  async apply(target: ReceiptTarget, r: ProviderReceipt, event: NewAuditEvent): Promise<boolean> {
    const receipt: Receipt = { status: r.status, at: r.at, ...(r.errorCode ? { errorCode: r.errorCode } : {}) };
    // The SMS is named by the reference it carried (End User Messaging) or the provider's id (SNS).
    const same: { cond: string; names: Record<string, string>; values: Record<string, unknown> } = r.ref
      ? { cond: '#smsRef = :ref', names: { '#smsRef': 'smsRef' }, values: { ':ref': r.ref } }
      : { cond: '#smsId = :id', names: { '#smsId': 'smsId' }, values: { ':id': r.smsId } };
    // `sent` only moves a queued receipt on; it never overwrites a final one that overtook it.
    const onlyQueued: { cond: string; values: Record<string, unknown> } = r.status === 'sent' ? { cond: ' AND #receipt.#status = :queued', values: { ':queued': 'queued' } } : { cond: '', values: {} };
    const out = await writeWithEvent(this, {
      key: recordKey(target.kind, target.id),
      nowMs: Date.now(),
      event,
      update: {
        UpdateExpression: 'SET #receipt = :r',
        // Still this SMS (a resend supersedes it), and not a repeat of the receipt already applied.
        ConditionExpression: `${same.cond} AND (#receipt.#status <> :status OR #receipt.#at <> :at)${onlyQueued.cond}`,
        ExpressionAttributeNames: { '#receipt': 'receipt', '#status': 'status', '#at': 'at', ...same.names },
        ExpressionAttributeValues: { ':r': receipt, ':status': r.status, ':at': r.at, ...same.values, ...onlyQueued.values },
      },
    });
    return out.ok;
  }

  async suppress(target: ReceiptTarget, reason: 'bounced' | 'complained', atMs: number): Promise<boolean> {
    const record = (await this.doc.send(new GetCommand({ TableName: this.tableName, Key: recordKey(target.kind, target.id), ProjectionExpression: 'emailIndex, emailMask' }))).Item;
    if (typeof record?.emailIndex !== 'string') return false;
    try {
      await this.doc.send(new TransactWriteCommand({
        TransactItems: [
          // Once per address: a second bounce or complaint finds it suppressed and writes nothing.
          { Put: { TableName: this.tableName, Item: { ...suppressionKey(record.emailIndex), reason, at: atMs }, ConditionExpression: 'attribute_not_exists(pk)' } },
          this.audit.put({
            actor: 'system', action: 'email.suppress', outcome: reason, resource: target.id, owner: target.clientId,
            subjectIndex: target.phoneIndex, subjectMask: typeof record.emailMask === 'string' ? record.emailMask : target.phoneMask,
          }),
        ],
      }));
      return true;
    } catch (error) {
      if (firstConditionFailed(error)) return false;
      throw error;
    }
  }
}
