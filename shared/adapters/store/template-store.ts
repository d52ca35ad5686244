import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { NewAuditEvent } from '../../audit/event.ts';
import type { TemplateHeader, TemplateStore, TemplateVersion } from '../../templates/template.ts';
import type { AuditItems } from './audit-items.ts';
import { queryAll } from './paged-query.ts';
import { SUBJECT_INDEX } from './tables.ts';
import { transactIfUnchanged } from './transact.ts';

/** `TPL#<id>`: the header (`TPL`, listed under the index key TEMPLATES) and its versions (`V#000001`…). */
const pk = (id: string) => `TPL#${id}`;
const HEADER = 'TPL';
const versionSk = (v: number) => `V#${String(v).padStart(6, '0')}`;
const LISTING = { subjectKey: 'TEMPLATES' };

const header = (item: Record<string, unknown>): TemplateHeader => {
  const { pk: _pk, sk: _sk, subjectKey: _l, ...t } = item;
  return t as TemplateHeader;
};
const version = (item: Record<string, unknown>): TemplateVersion => {
  const { pk: _pk, sk: _sk, ...v } = item;
  return v as TemplateVersion;
};

export class DynamoTemplateStore implements TemplateStore {
  constructor(private readonly doc: DynamoDBDocumentClient, private readonly tableName: string, private readonly audit: AuditItems) {}

  async create(t: TemplateHeader, v: TemplateVersion, event: NewAuditEvent): Promise<void> {
    await transactIfUnchanged(this.doc, [
      { Put: { TableName: this.tableName, Item: { pk: pk(t.id), sk: HEADER, ...LISTING, ...t }, ConditionExpression: 'attribute_not_exists(pk)' } },
      { Put: { TableName: this.tableName, Item: { pk: pk(t.id), sk: versionSk(v.version), ...v }, ConditionExpression: 'attribute_not_exists(pk)' } },
      this.audit.put(event),
    ]);
  }

  async header(id: string): Promise<TemplateHeader | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk: pk(id), sk: HEADER }, ConsistentRead: true }));
    return out.Item ? header(out.Item) : undefined;
  }

  async version(id: string, v: number): Promise<TemplateVersion | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk: pk(id), sk: versionSk(v) }, ConsistentRead: true }));
    return out.Item ? version(out.Item) : undefined;
  }

  async versions(id: string): Promise<TemplateVersion[]> {
    const items = await queryAll(this.doc, {
      TableName: this.tableName, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :v)', ExpressionAttributeValues: { ':pk': pk(id), ':v': 'V#' }, ConsistentRead: true,
    });
    return items.map(version);
  }

  async list(): Promise<TemplateHeader[]> {
    const items = await queryAll(this.doc, { TableName: this.tableName, IndexName: SUBJECT_INDEX, KeyConditionExpression: 'subjectKey = :k', ExpressionAttributeValues: { ':k': LISTING.subjectKey } });
    return items.map(header).sort((a, b) => a.createdAt - b.createdAt);
  }

  addVersion(id: string, seenLatest: number, v: TemplateVersion, event: NewAuditEvent): Promise<boolean> {
    return transactIfUnchanged(this.doc, [
      {
        Update: {
          TableName: this.tableName, Key: { pk: pk(id), sk: HEADER }, UpdateExpression: 'SET latestVersion = :n',
          ConditionExpression: 'latestVersion = :seen', ExpressionAttributeValues: { ':n': v.version, ':seen': seenLatest },
        },
      },
      { Put: { TableName: this.tableName, Item: { pk: pk(id), sk: versionSk(v.version), ...v }, ConditionExpression: 'attribute_not_exists(pk)' } },
      this.audit.put(event),
    ]);
  }

  approve(id: string, v: number, approver: string, atMs: number, seenApproved: number | undefined, event: NewAuditEvent): Promise<boolean> {
    return transactIfUnchanged(this.doc, [
      {
        Update: {
          TableName: this.tableName, Key: { pk: pk(id), sk: versionSk(v) },
          UpdateExpression: 'SET #status = :approved, approvedBy = :by, approvedAt = :at',
          // Maker-checker in the write itself, not only in the read before it.
          ConditionExpression: '#status = :draft AND author <> :by',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':approved': 'approved', ':draft': 'draft', ':by': approver, ':at': atMs },
        },
      },
      {
        Update: {
          TableName: this.tableName, Key: { pk: pk(id), sk: HEADER }, UpdateExpression: 'SET approvedVersion = :v',
          ConditionExpression: seenApproved === undefined ? 'attribute_not_exists(approvedVersion)' : 'approvedVersion = :seen',
          ExpressionAttributeValues: { ':v': v, ...(seenApproved === undefined ? {} : { ':seen': seenApproved }) },
        },
      },
      this.audit.put(event),
    ]);
  }
}
