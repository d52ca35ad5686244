import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * The one definition of each table. The CDK stack (infra/constructs/tables.ts) and the local
 * stack (infra/local/dynamodb.ts) both build from these, so the two worlds cannot drift.
 */
type KeyAttribute = { name: string; type: 'S' | 'N' };
type IndexDefinition = {
  name: string;
  partitionKey: KeyAttribute;
  sortKey: KeyAttribute;
  /** Non-key attributes the index carries; absent means all of them. */
  include?: readonly string[];
};
export type TableDefinition = {
  /** Logical name; the physical name comes from the stack or the local stack. */
  id: string;
  partitionKey: KeyAttribute;
  sortKey?: KeyAttribute;
  timeToLiveAttribute: string;
  indexes?: readonly IndexDefinition[];
  /** A DynamoDB stream of new images (the events publisher reads the audit table's, the archiver the archive outbox's). */
  stream?: 'NEW_IMAGE';
};

/** Verifications, messages, links, consent and rate-limit counters (single-table; `pk`/`sk` opaque). */
export const DATA_TABLE = {
  id: 'Data',
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  timeToLiveAttribute: 'ttl',
  indexes: [
    /** Everything held about one number (data-subject export and erasure): `SUBJECT#<blind index>`. */
    { name: 'bySubject', partitionKey: { name: 'subjectKey', type: 'S' }, sortKey: { name: 'sk', type: 'S' } },
    /** The record an SMS belongs to, by the provider's message id (sparse): delivery receipts. */
    { name: 'bySms', partitionKey: { name: 'smsId', type: 'S' }, sortKey: { name: 'sk', type: 'S' }, include: ['clientId', 'phoneIndex', 'phoneMask'] },
    /** Open verifications and messages by the minute they expire (sparse, sharded): timely `expired` events. */
    { name: 'byExpiry', partitionKey: { name: 'expiryBucket', type: 'S' }, sortKey: { name: 'pk', type: 'S' }, include: ['clientId', 'expiresAt', 'status', 'attempts', 'maxAttempts', 'phoneIndex', 'phoneMask'] },
  ],
} as const satisfies TableDefinition;

export const SUBJECT_INDEX = DATA_TABLE.indexes[0].name;
export const SMS_INDEX = DATA_TABLE.indexes[1].name;
export const EXPIRY_INDEX = DATA_TABLE.indexes[2].name;
/** The index attribute that files an item under a number's blind index. */
export const subjectKey = (phoneIndex: string) => ({ subjectKey: `SUBJECT#${phoneIndex}` });

/** The partition prefix of an address's reference to a record filed under its number. */
export const ADDRESS_REF = 'ADDRREF#';
/** Outlives any record it points at (an approved verification is kept 90 days): a reference to nothing is skipped. */
const REF_GRACE_SECONDS = 91 * 86_400;
/**
 * A record sent by e-mail is filed under its number (`subjectKey`); this small item files it under
 * the address's blind index too, so export and erasure by address find it (API 1.2). Written in the
 * record's own transaction.
 */
export const addressRef = (tableName: string, emailIndex: string, record: { pk: string; sk: string }, ttlSeconds: number) => ({
  Put: { TableName: tableName, Item: { pk: `${ADDRESS_REF}${record.pk}`, sk: record.sk, ...subjectKey(emailIndex), ref: record, ttl: ttlSeconds + REF_GRACE_SECONDS } },
});

/** Powertools idempotency records (its default attribute names). */
export const IDEMPOTENCY_TABLE = {
  id: 'Idempotency',
  partitionKey: { name: 'id', type: 'S' },
  timeToLiveAttribute: 'expiration',
} as const satisfies TableDefinition;

/**
 * Append-only audit events (`E#<hour>#<shard>` / `<at>#<id>`, store/audit-items.ts) and the seals
 * over them (`SEAL` / `S#<seq>`, pages `SEALPAGE#<seq>`). Functions may only PutItem; the sealer
 * reads events and writes seals; the audit readers Query.
 */
export const AUDIT_TABLE = {
  id: 'Audit',
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  timeToLiveAttribute: 'ttl',
  stream: 'NEW_IMAGE',
  indexes: [
    /** A number's events (sparse: events that name a subject). */
    { name: 'bySubject', partitionKey: { name: 'subjectIndex', type: 'S' }, sortKey: { name: 'sk', type: 'S' } },
    /** A verification's or message's events (sparse). */
    { name: 'byResource', partitionKey: { name: 'resource', type: 'S' }, sortKey: { name: 'sk', type: 'S' } },
  ],
} as const satisfies TableDefinition;
export const AUDIT_SUBJECT_INDEX = AUDIT_TABLE.indexes[0].name;
export const AUDIT_RESOURCE_INDEX = AUDIT_TABLE.indexes[1].name;

/**
 * The retention archive's outbox: a message of an archived category puts its sealed copy here in the
 * send's own transaction; the archiver (functions/archive-messages.ts) reads the table's stream, puts
 * the copy in the archive (S3 Object Lock) and deletes the item. Only archived messages pass through,
 * so the stream carries nothing else. TTL: the end of the copy's retention, by which it is no longer
 * owed anywhere.
 */
export const ARCHIVE_OUTBOX_TABLE = {
  id: 'ArchiveOutbox',
  partitionKey: { name: 'messageId', type: 'S' },
  timeToLiveAttribute: 'ttl',
  stream: 'NEW_IMAGE',
} as const satisfies TableDefinition;

export const TABLES: readonly TableDefinition[] = [DATA_TABLE, IDEMPOTENCY_TABLE, AUDIT_TABLE, ARCHIVE_OUTBOX_TABLE];

export function createTableInput(def: TableDefinition, tableName: string): CreateTableCommandInput {
  const keys: KeyAttribute[] = def.sortKey ? [def.partitionKey, def.sortKey] : [def.partitionKey];
  const all = [...keys, ...(def.indexes ?? []).flatMap((i) => [i.partitionKey, i.sortKey])];
  const attributes = [...new Map(all.map((k) => [k.name, k])).values()];
  const schema = (ks: KeyAttribute[]) => ks.map((k, i) => ({ AttributeName: k.name, KeyType: i === 0 ? ('HASH' as const) : ('RANGE' as const) }));
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: attributes.map((k) => ({ AttributeName: k.name, AttributeType: k.type })),
    KeySchema: schema(keys),
    ...(def.indexes?.length
      ? {
          GlobalSecondaryIndexes: def.indexes.map((i) => ({
            IndexName: i.name,
            KeySchema: schema([i.partitionKey, i.sortKey]),
            Projection: i.include ? { ProjectionType: 'INCLUDE' as const, NonKeyAttributes: [...i.include] } : { ProjectionType: 'ALL' as const },
          })),
        }
      : {}),
    ...(def.stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: def.stream } } : {}),
  };
}
