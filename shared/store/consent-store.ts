import { QueryCommand, TransactWriteCommand, GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { consentKey } from '../consent/guard.ts';
import { subjectKey } from './tables.ts';

export type ConsentChange = {
  id: string;
  at: number;
  actor: string;
  source: string;
  category: 'promotional' | 'all';
  status: 'opted_in' | 'opted_out';
  textVersion?: string;
  sealedEvidence?: string;
};

export type ConsentRecord = {
  promotional?: 'opted_in' | 'opted_out';
  promotionalUpdatedAt?: number;
  promotionalSource?: string;
  optedOutAll?: boolean;
  optedOutAllUpdatedAt?: number;
  /** Kept after an erasure: the number stays opted out, and nothing else is known about it. */
  suppressed?: boolean;
};

export interface ConsentStore {
  /** The current record and the change log entry, in one transaction. */
  apply(phoneIndex: string, change: ConsentChange): Promise<void>;
  read(phoneIndex: string): Promise<{ state: ConsentRecord | undefined; history: ConsentChange[] }>;
}

const logKey = (phoneIndex: string, change: ConsentChange) => ({ pk: `CONSENTLOG#${phoneIndex}`, sk: `${String(change.at).padStart(15, '0')}#${change.id}` });

export class DynamoConsentStore implements ConsentStore {
  constructor(private readonly doc: DynamoDBDocumentClient, private readonly tableName: string) {}

  async apply(phoneIndex: string, change: ConsentChange): Promise<void> {
    // STOP means everything: it also ends a promotional opt-in. START lifts only the opt-out of all.
    const sets: string[] = [];
    const values: Record<string, unknown> = { ':at': change.at };
    if (change.category === 'all') {
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
        ],
      }),
    );
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
