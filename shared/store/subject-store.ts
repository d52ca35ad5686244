import { BatchWriteCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { queryAll } from './conditional.ts';
import { consentKey } from '../consent/guard.ts';
import { linkKey } from './message-store.ts';
import { SUBJECT_INDEX, subjectKey } from './tables.ts';

export type SubjectItem = Record<string, unknown> & { pk: string; sk: string };

/** Everything filed under one number's blind index (the `bySubject` index), for export and erasure. */
export class DynamoSubjectStore {
  constructor(private readonly doc: DynamoDBDocumentClient, private readonly tableName: string) {}

  async items(phoneIndex: string): Promise<SubjectItem[]> {
    return (await queryAll(this.doc, {
      TableName: this.tableName,
      IndexName: SUBJECT_INDEX,
      KeyConditionExpression: 'subjectKey = :s',
      ExpressionAttributeValues: { ':s': subjectKey(phoneIndex).subjectKey },
    })) as SubjectItem[];
  }

  /** Deletes the items (and message links); keeps an opt-out as a bare suppression entry. */
  async erase(phoneIndex: string, items: SubjectItem[], keepSuppression: boolean, nowMs: number): Promise<void> {
    const keys = items.flatMap((i) => [{ pk: i.pk, sk: i.sk }, ...(typeof i.linkHash === 'string' ? [linkKey(i.linkHash)] : [])]);
    for (let i = 0; i < keys.length; i += 25) {
      let batch = keys.slice(i, i + 25).map((Key) => ({ DeleteRequest: { Key } }));
      for (let attempt = 0; batch.length; attempt++) {
        const out = await this.doc.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: batch } }));
        batch = (out.UnprocessedItems?.[this.tableName] ?? []) as typeof batch;
        if (batch.length && attempt > 8) throw new Error('DynamoDB did not accept the erasure batch');
        if (batch.length) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
      }
    }
    if (keepSuppression) {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...consentKey(phoneIndex), ...subjectKey(phoneIndex), optedOutAll: true, suppressed: true, optedOutAllUpdatedAt: nowMs },
        }),
      );
    }
  }
}
