import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { NewAuditEvent } from '../../audit/event.ts';
import type { ProvenanceStore, SentRecord, SentText } from '../../provenance/provenance.ts';
import type { LimitCounter } from '../../ratelimit/limits.ts';
import type { AuditItems } from './audit-items.ts';
import { transactWithLimits, type TransactItem } from './rate-limit-ops.ts';
import { subjectKey } from './tables.ts';

/**
 * Sent texts by keyed hash: `PROV#<hash>` / `<sentAt>#<id>`, filed under the number's subject key
 * so erasure removes them, kept PROVENANCE_DAYS.
 */
const PROVENANCE_DAYS = 400;

/** One more Put in the send's own transaction. */
export function provenancePut(tableName: string, t: SentText): TransactItem {
  return {
    Put: {
      TableName: tableName,
      Item: {
        pk: `PROV#${t.hash}`, sk: `${new Date(t.record.sentAt).toISOString()}#${t.record.id}`, ...subjectKey(t.phoneIndex), ...t.record,
        ttl: Math.ceil(t.record.sentAt / 1000) + PROVENANCE_DAYS * 86_400,
      },
    },
  };
}

export class DynamoProvenanceStore implements ProvenanceStore {
  constructor(private readonly doc: DynamoDBDocumentClient, private readonly tableName: string, private readonly audit: AuditItems) {}

  async recordLookup(window: LimitCounter, event: NewAuditEvent): Promise<void> {
    await transactWithLimits(this.doc, this.tableName, [window], [this.audit.put(event)], this.audit.now());
  }

  async latest(hash: string): Promise<SentRecord | undefined> {
    const out = await this.doc.send(new QueryCommand({
      TableName: this.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `PROV#${hash}` }, ScanIndexForward: false, Limit: 1,
    }));
    const item = out.Items?.[0];
    if (!item) return undefined;
    return { kind: item.kind as SentRecord['kind'], id: String(item.id), clientId: String(item.clientId), sentAt: Number(item.sentAt), ...(item.templateId ? { templateId: String(item.templateId) } : {}) };
  }
}
