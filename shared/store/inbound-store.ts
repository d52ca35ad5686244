import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { subjectKey } from './tables.ts';

export type InboundMessage = {
  id: string;
  phoneIndex: string;
  fromMask: string;
  receivedAt: number;
  expiresAt: number;
  /** The sender's number, sealed: export and erasure find it by the blind index, the business sees the mask. */
  sealedFrom: string;
  sealedBody: string;
};

export interface InboundStore {
  /** False when this text was already stored (SNS redelivery). */
  put(m: InboundMessage): Promise<boolean>;
  list(q: { sinceMs: number; cursor?: string; limit: number; nowMs: number }): Promise<{ items: InboundMessage[]; nextCursor?: string }>;
}

/**
 * Inbound texts in one partition ordered by arrival: a business's inbound volume is small, and one
 * partition makes `since` + cursor paging a single Query. TTL removes them after the retention.
 */
const PK = 'INBOUND';

export class DynamoInboundStore implements InboundStore {
  constructor(private readonly doc: DynamoDBDocumentClient, private readonly tableName: string) {}

  async put(m: InboundMessage): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: PK, sk: `${String(m.receivedAt).padStart(15, '0')}#${m.id}`, ...subjectKey(m.phoneIndex), ...m, ttl: Math.ceil(m.expiresAt / 1000) },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
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
