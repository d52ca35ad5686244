import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { MaskLookup } from '../../events/publish.ts';
import { AUDIT_RESOURCE_INDEX } from './tables.ts';

/** A resource's first audit event (its issue or send) names the masked number. */
export class AuditMaskLookup implements MaskLookup {
  constructor(private readonly doc: DynamoDBDocumentClient, private readonly auditTable: string) {}

  async maskOf(resource: string): Promise<string | undefined> {
    const out = await this.doc.send(new QueryCommand({
      TableName: this.auditTable,
      IndexName: AUDIT_RESOURCE_INDEX,
      KeyConditionExpression: '#r = :r',
      ExpressionAttributeNames: { '#r': 'resource' },
      ExpressionAttributeValues: { ':r': resource },
      Limit: 1,
    }));
    const mask: unknown = out.Items?.[0]?.subjectMask;
    return typeof mask === 'string' ? mask : undefined;
  }
}
