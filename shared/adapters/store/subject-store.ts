import { GetCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchWriteAll } from './batch-write.ts';
import type { NewAuditEvent } from '../../audit/event.ts';
import type { SubjectItem, SubjectStore } from '../../subjects/store.ts';
import type { AuditItems } from './audit-items.ts';
import { queryAll } from './paged-query.ts';
import { consentKey } from './consent-guard.ts';
import { linkKey } from './message-store.ts';
import { ADDRESS_REF, SUBJECT_INDEX, subjectKey } from './tables.ts';

/** A transaction holds at most 100 items: the last deletions, the suppression entry and the event. */
const LAST_CHUNK = 98;

/**
 * Everything filed under one number's or one address's blind index (the `bySubject` index), for
 * export and erasure; an address's references bring the records it was sent (they are filed under
 * the number).
 */
export class DynamoSubjectStore implements SubjectStore {
  constructor(private readonly doc: DynamoDBDocumentClient, private readonly tableName: string, private readonly audit: AuditItems) {}

  async items(subjectIndex: string): Promise<SubjectItem[]> {
    const filed = (await queryAll(this.doc, {
      TableName: this.tableName,
      IndexName: SUBJECT_INDEX,
      KeyConditionExpression: 'subjectKey = :s',
      ExpressionAttributeValues: { ':s': subjectKey(subjectIndex).subjectKey },
    })) as SubjectItem[];
    const refs = filed.filter((i) => i.pk.startsWith(ADDRESS_REF));
    const referenced = await Promise.all(
      refs.map(async (r) => (await this.doc.send(new GetCommand({ TableName: this.tableName, Key: r.ref as Record<string, string>, ConsistentRead: true }))).Item as SubjectItem | undefined),
    );
    return [...filed, ...referenced.filter((i): i is SubjectItem => i !== undefined)];
  }

  /**
   * Erasure can exceed one transaction. Earlier deletions go in batches; the last ones, the
   * suppression entry and the event commit together, so the event says the erasure completed.
   * A failure part way leaves no event, and repeating the erasure finishes it.
   */
  async erase(phoneIndex: string, items: SubjectItem[], keepSuppression: boolean, nowMs: number, event: NewAuditEvent): Promise<void> {
    const keys = items.flatMap((i) => [{ pk: i.pk, sk: i.sk }, ...(typeof i.linkHash === 'string' ? [linkKey(i.linkHash)] : [])]);
    const last = keys.splice(Math.max(0, keys.length - LAST_CHUNK));
    await batchWriteAll(this.doc, this.tableName, keys.map((Key) => ({ DeleteRequest: { Key } })), 'DynamoDB did not accept the erasure batch');
    const suppressionKey = consentKey(phoneIndex);
    await this.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          // The consent record itself is replaced, not deleted, when the opt-out must survive.
          ...last
            .filter((k) => !(keepSuppression && k.pk === suppressionKey.pk && k.sk === suppressionKey.sk))
            .map((Key) => ({ Delete: { TableName: this.tableName, Key } })),
          ...(keepSuppression
            ? [{ Put: { TableName: this.tableName, Item: { ...suppressionKey, ...subjectKey(phoneIndex), optedOutAll: true, suppressed: true, optedOutAllUpdatedAt: nowMs } } }]
            : []),
          this.audit.put(event),
        ],
      }),
    );
  }
}
