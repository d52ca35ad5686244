import { QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { NewAuditEvent } from '../../audit/event.ts';
import type { InboundMessage, InboundStore } from '../../inbound/store.ts';
import type { AuditItems } from './audit-items.ts';
import { subjectKey } from './tables.ts';
import type { LimitCounter } from '../../ratelimit/limits.ts';
import { sendGuards } from './consent-guard.ts';
import { explainConsentFailure } from './consent-reader.ts';
import { transactWithLimits } from './rate-limit-ops.ts';
import { firstConditionFailed } from './transaction-error.ts';

/**
 * Inbound texts in one partition ordered by arrival: a business's inbound volume is small, and one
 * partition makes `since` + cursor paging a single Query. TTL removes them after the retention.
 */
const PK = 'INBOUND';

export class DynamoInboundStore implements InboundStore {
  constructor(private readonly doc: DynamoDBDocumentClient, private readonly tableName: string, private readonly audit: AuditItems) {}

  async guardReply(q: { phoneIndex: string; country: string; nowMs: number }, counters: LimitCounter[], event: NewAuditEvent): Promise<void> {
    await transactWithLimits(this.doc, this.tableName, counters, [
      ...sendGuards(this.tableName, { phoneIndex: q.phoneIndex, country: q.country, kind: 'transactional', nowMs: q.nowMs }), this.audit.put(event),
    ], q.nowMs).catch((error: unknown) => explainConsentFailure(this.doc, this.tableName, error));
  }

  async put(m: InboundMessage, event: NewAuditEvent): Promise<boolean> {
    try {
      await this.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: { pk: PK, sk: `${String(m.receivedAt).padStart(15, '0')}#${m.id}`, ...subjectKey(m.phoneIndex), ...m, ttl: Math.ceil(m.expiresAt / 1000) },
                // The text's own id is unique per text (SNS redelivers with the same id).
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            this.audit.put(event),
          ],
        }),
      );
      return true;
    } catch (error) {
      if (firstConditionFailed(error)) return false;
      throw error;
    }
  }

  async list(q: { sinceMs: number; cursor?: string; limit: number; nowMs: number }) {
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND sk >= :since',
        FilterExpression: 'expiresAt > :now',
        ExpressionAttributeValues: { ':pk': PK, ':since': String(q.sinceMs).padStart(15, '0'), ':now': q.nowMs },
        Limit: q.limit,
        ...(q.cursor ? { ExclusiveStartKey: { pk: PK, sk: Buffer.from(q.cursor, 'base64url').toString('utf8') } } : {}),
      }),
    );
    const items = (out.Items ?? []).map(({ pk: _pk, sk: _sk, ttl: _ttl, subjectKey: _s, ...m }) => m as InboundMessage);
    const last = out.LastEvaluatedKey?.sk as string | undefined;
    return { items, ...(last ? { nextCursor: Buffer.from(last).toString('base64url') } : {}) };
  }
}
