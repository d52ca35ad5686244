import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AUDIT_CHAINS, type AuditEvent } from '../audit/event.ts';
import { verifyChain, type ChainVerdict } from '../audit/verify-chain.ts';
import { headKey } from './audit-store.ts';
import { queryAll } from './conditional.ts';

/** Reads chains back for verification and the audit API (the audit.read functions only). */
export class DynamoAuditReader {
  constructor(private readonly doc: DynamoDBDocumentClient, private readonly tables: { audit: string; data: string }) {}

  async chain(chain: string): Promise<AuditEvent[]> {
    const items = await queryAll(this.doc, {
      TableName: this.tables.audit,
      KeyConditionExpression: '#c = :c',
      ExpressionAttributeNames: { '#c': 'chain' },
      ExpressionAttributeValues: { ':c': chain },
      ConsistentRead: true,
    });
    return items.map(({ ttl: _ttl, ...event }) => event as AuditEvent);
  }

  async head(chain: string): Promise<{ seq: number; hash: string } | undefined> {
    const item = (await this.doc.send(new GetCommand({ TableName: this.tables.data, Key: headKey(chain), ConsistentRead: true }))).Item;
    return item ? { seq: item.seq as number, hash: item.hash as string } : undefined;
  }

  /** Verifies every chain; the first broken one is reported. */
  async verifyAll(): Promise<ChainVerdict> {
    let total = 0;
    for (let i = 0; i < AUDIT_CHAINS; i++) {
      const chain = `c${i}`;
      const [events, head] = await Promise.all([this.chain(chain), this.head(chain)]);
      const verdict = verifyChain(chain, events, head);
      if (!verdict.intact) return { ...verdict, events: total + verdict.events };
      total += verdict.events;
    }
    return { intact: true, events: total };
  }
}
