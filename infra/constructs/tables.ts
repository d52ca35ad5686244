import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, StreamViewType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { ARCHIVE_OUTBOX_TABLE, AUDIT_TABLE, DATA_TABLE, IDEMPOTENCY_TABLE, type TableDefinition } from '#shared/adapters/store/tables';

/**
 * The tables, built from the same definitions as the local stack (shared/adapters/store/tables.ts):
 * on-demand, TTL (the audit table's TTL is its retention), SSE with the customer managed key, point-in-time recovery, and outside `dev`
 * deletion protection with RETAIN.
 */
export class SealtextTables extends Construct {
  readonly data: Table;
  readonly idempotency: Table;
  /** Append-only: functions get PutItem and nothing else on it. */
  readonly audit: Table;
  /** Only on stages that keep a retention archive: copies committed with their sends, until archived. */
  readonly archiveOutbox: Table | undefined;

  constructor(scope: Construct, id: string, props: { key: IKey; retain: boolean; archive: boolean }) {
    super(scope, id);
    const attributeType = (t: 'S' | 'N') => (t === 'S' ? AttributeType.STRING : AttributeType.NUMBER);
    const build = (def: TableDefinition) => {
      const table = new Table(this, def.id, {
        partitionKey: { name: def.partitionKey.name, type: def.partitionKey.type === 'S' ? AttributeType.STRING : AttributeType.NUMBER },
        ...(def.sortKey
          ? { sortKey: { name: def.sortKey.name, type: def.sortKey.type === 'S' ? AttributeType.STRING : AttributeType.NUMBER } }
          : {}),
        billingMode: BillingMode.PAY_PER_REQUEST,
        timeToLiveAttribute: def.timeToLiveAttribute,
        encryption: TableEncryption.CUSTOMER_MANAGED,
        encryptionKey: props.key,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        deletionProtection: props.retain,
        removalPolicy: props.retain ? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE : RemovalPolicy.DESTROY,
        ...(def.stream ? { stream: StreamViewType.NEW_IMAGE } : {}),
      });
      for (const index of def.indexes ?? []) {
        table.addGlobalSecondaryIndex({
          indexName: index.name,
          partitionKey: { name: index.partitionKey.name, type: attributeType(index.partitionKey.type) },
          sortKey: { name: index.sortKey.name, type: attributeType(index.sortKey.type) },
          ...(index.include ? { projectionType: ProjectionType.INCLUDE, nonKeyAttributes: [...index.include] } : {}),
        });
      }
      return table;
    };
    this.data = build(DATA_TABLE);
    this.idempotency = build(IDEMPOTENCY_TABLE);
    this.audit = build(AUDIT_TABLE);
    this.archiveOutbox = props.archive ? build(ARCHIVE_OUTBOX_TABLE) : undefined;
  }
}
