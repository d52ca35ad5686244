import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { chainOf, eventHash, GENESIS_HASH, type AuditEvent, type AuditLog, type NewAuditEvent } from '../audit/event.ts';

/**
 * Appends audit events to the audit table, which functions may only PutItem into. The head of each
 * chain (last seq and hash) lives in the data table; the event Put and the head Put commit in one
 * transaction, each conditional, so two concurrent writers can never both extend the same head:
 * the loser re-reads the head and tries again. The chain cannot fork.
 */
export class DynamoAuditLog implements AuditLog {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tables: { audit: string; data: string },
    private readonly retentionDays: number,
    private readonly now: () => number = Date.now,
  ) {}

  async append(event: NewAuditEvent): Promise<void> {
    const chain = chainOf(event.subjectIndex);
    for (let attempt = 0; ; attempt++) {
      const head = (await this.doc.send(new GetCommand({ TableName: this.tables.data, Key: headKey(chain), ConsistentRead: true }))).Item as
        | { seq: number; hash: string }
        | undefined;
      const seq = (head?.seq ?? 0) + 1;
      const at = this.now();
      const unhashed: Omit<AuditEvent, 'hash'> = { ...event, chain, seq, id: `${chain}-${seq}`, at: new Date(at).toISOString(), prevHash: head?.hash ?? GENESIS_HASH };
      const stored: AuditEvent = { ...unhashed, hash: eventHash(unhashed) };
      try {
        await this.doc.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: this.tables.audit,
                  Item: { ...stored, ttl: Math.ceil(at / 1000) + this.retentionDays * 86_400 },
                  ConditionExpression: 'attribute_not_exists(#chain)',
                  ExpressionAttributeNames: { '#chain': 'chain' },
                },
              },
              {
                Put: {
                  TableName: this.tables.data,
                  Item: { ...headKey(chain), seq, hash: stored.hash },
                  ConditionExpression: head ? '#seq = :prev' : 'attribute_not_exists(pk)',
                  ExpressionAttributeNames: head ? { '#seq': 'seq' } : undefined,
                  ExpressionAttributeValues: head ? { ':prev': head.seq } : undefined,
                },
              },
            ],
          }),
        );
        return;
      } catch (error) {
        if (!(error instanceof TransactionCanceledException) || attempt >= 40) throw error;
        // Another writer extended this chain first: back off with jitter and build on its head.
        await new Promise((r) => setTimeout(r, Math.random() * Math.min(200, 5 * 2 ** Math.min(attempt, 6))));
      }
    }
  }
}

export const headKey = (chain: string) => ({ pk: `AUDITHEAD#${chain}`, sk: 'HEAD' });
