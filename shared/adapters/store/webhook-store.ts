import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { transactIfUnchanged } from './transact.ts';
import type { NewAuditEvent } from '../../audit/event.ts';
import type { Webhook, WebhookStore } from '../../webhooks/webhook.ts';
import type { AuditItems } from './audit-items.ts';
import { queryAll } from './paged-query.ts';
import { SUBJECT_INDEX } from './tables.ts';

const key = (clientId: string) => ({ pk: `WEBHOOK#${clientId}`, sk: 'WEBHOOK' });
/** Every webhook is also filed under one index key, so the publisher can list them (one per client: few). */
const LISTING = { subjectKey: 'WEBHOOKS' };

function fromItem(item: Record<string, unknown> | undefined): Webhook | undefined {
  if (!item) return undefined;
  const { pk: _pk, sk: _sk, subjectKey: _l, ...w } = item;
  return w as Webhook;
}

export class DynamoWebhookStore implements WebhookStore {
  constructor(private readonly doc: DynamoDBDocumentClient, private readonly tableName: string, private readonly audit: AuditItems) {}

  async get(clientId: string): Promise<Webhook | undefined> {
    return fromItem((await this.doc.send(new GetCommand({ TableName: this.tableName, Key: key(clientId), ConsistentRead: true }))).Item);
  }

  async put(webhook: Webhook, seen: Webhook | undefined, event: NewAuditEvent): Promise<boolean> {
    return transactIfUnchanged(this.doc, [
      {
        Put: {
          TableName: this.tableName,
          Item: { ...key(webhook.clientId), ...LISTING, ...webhook },
          ...(seen
            ? { ConditionExpression: 'sealedSecret = :seen AND updatedAt = :seenAt', ExpressionAttributeValues: { ':seen': seen.sealedSecret, ':seenAt': seen.updatedAt } }
            : { ConditionExpression: 'attribute_not_exists(pk)' }),
        },
      },
      this.audit.put(event),
    ]);
  }

  async delete(clientId: string, event: NewAuditEvent): Promise<boolean> {
    return transactIfUnchanged(this.doc, [
      { Delete: { TableName: this.tableName, Key: key(clientId), ConditionExpression: 'attribute_exists(pk)' } },
      this.audit.put(event),
    ]);
  }

  async list(): Promise<Webhook[]> {
    const items = await queryAll(this.doc, {
      TableName: this.tableName,
      IndexName: SUBJECT_INDEX,
      KeyConditionExpression: 'subjectKey = :k',
      ExpressionAttributeValues: { ':k': LISTING.subjectKey },
    });
    return items.map((i) => fromItem(i)!);
  }
}
