import { QueryCommand, TransactWriteCommand, GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { consentKey } from './consent-guard.ts';
import type { NewAuditEvent } from '../../audit/event.ts';
import type { ConsentChange, ConsentRecord, ConsentStore } from '../../consent/store.ts';
import type { AuditItems } from './audit-items.ts';
import { subjectKey } from './tables.ts';

const logKey = (phoneIndex: string, change: ConsentChange) => ({ pk: `CONSENTLOG#${phoneIndex}`, sk: `${String(change.at).padStart(15, '0')}#${change.id}` });

export class DynamoConsentStore implements ConsentStore {
  constructor(private readonly doc: DynamoDBDocumentClient, private readonly tableName: string, private readonly audit: AuditItems) {}

  async apply(phoneIndex: string, change: ConsentChange, event: NewAuditEvent): Promise<void> {
    // STOP means everything: it also ends a promotional opt-in. START lifts only the opt-out of all.
    const sets: string[] = [];
    const values: Record<string, unknown> = { ':at': change.at };
    if (change.channel === 'whatsapp') {
      // WhatsApp's opt-in is its own (Meta's rule): it neither lifts nor sets the number's SMS consent.
      sets.push('whatsapp = :wa', 'whatsappUpdatedAt = :at', 'whatsappSource = :source');
      Object.assign(values, { ':wa': change.status, ':source': change.source });
    } else if (change.category === 'all') {
      sets.push('optedOutAll = :all', 'optedOutAllUpdatedAt = :at');
      values[':all'] = change.status === 'opted_out';
      if (change.status === 'opted_out') {
        sets.push('promotional = :promo', 'promotionalUpdatedAt = :at', 'promotionalSource = :source');
        Object.assign(values, { ':promo': 'opted_out', ':source': change.source });
      }
    } else {
      sets.push('promotional = :promo', 'promotionalUpdatedAt = :at', 'promotionalSource = :source');
      Object.assign(values, { ':promo': change.status, ':source': change.source });
    }
    sets.push('subjectKey = :subject');
    values[':subject'] = subjectKey(phoneIndex).subjectKey;
    await this.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          { Update: { TableName: this.tableName, Key: consentKey(phoneIndex), UpdateExpression: `SET ${sets.join(', ')} REMOVE suppressed`, ExpressionAttributeValues: values } },
          { Put: { TableName: this.tableName, Item: { ...logKey(phoneIndex, change), ...subjectKey(phoneIndex), ...change }, ConditionExpression: 'attribute_not_exists(pk)' } },
          this.audit.put(event),
        ],
      }),
    );
  }

  async state(phoneIndex: string) {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: consentKey(phoneIndex) }));
    return out.Item as ConsentRecord | undefined;
  }

  async read(phoneIndex: string) {
    const [state, log] = await Promise.all([
      this.doc.send(new GetCommand({ TableName: this.tableName, Key: consentKey(phoneIndex), ConsistentRead: true })),
      this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `CONSENTLOG#${phoneIndex}` },
          ConsistentRead: true,
        }),
      ),
    ]);
    const history = (log.Items ?? []).map(({ pk: _pk, sk: _sk, subjectKey: _s, ...c }) => c as ConsentChange);
    return { state: state.Item as ConsentRecord | undefined, history };
  }
}
