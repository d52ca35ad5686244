import { GetCommand, PutCommand, QueryCommand, ScanCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../../audit/event.ts';
import type { AuditReader, AuditListPage } from '../../audit/query.ts';
import { PAGE_SIZE, SEAL_RETENTION_MARGIN_MS, type Seal, type SealHeader, type SealStore } from '../../audit/seal.ts';
import { AUDIT_SHARDS, eventPartition } from './audit-items.ts';
import { queryAll } from './paged-query.ts';
import { AUDIT_RESOURCE_INDEX, AUDIT_SUBJECT_INDEX } from './tables.ts';
import { firstConditionFailed } from './transaction-error.ts';

const HOUR_MS = 3_600_000;
const pad = (n: number, width = 12) => String(n).padStart(width, '0');
const SEAL_PK = 'SEAL';
/** Seal headers sort by when they were made (the sealer keeps that monotonic), so a time range is one Query. */
const sealKey = (h: Pick<SealHeader, 'seq' | 'sealedAt'>) => ({ pk: SEAL_PK, sk: `S#${h.sealedAt}#${pad(h.seq)}` });
/** One per seq, written with the header: two sealers can never both make seal N. */
const seqKey = (seq: number) => ({ pk: 'SEALSEQ', sk: pad(seq) });
const pageKey = (seq: number, page: number) => ({ pk: `SEALPAGE#${pad(seq)}`, sk: `P#${pad(page, 5)}` });

/** The hour an event partition (E#<yyyy-mm-ddThh>#<shard>) holds, in epoch ms; NaN for anything else. */
const partitionHour = (pk: string) => Date.parse(`${pk.slice(2, 15)}:00:00.000Z`);

function toEvent(item: Record<string, unknown>): AuditEvent {
  const { pk: _pk, sk: _sk, ttl: _ttl, ...event } = item;
  return event as AuditEvent;
}

/** Runs at most `limit` of the tasks at once. */
async function pooled<T>(tasks: (() => Promise<T>)[], limit = 16): Promise<T[]> {
  const out = new Array<T>(tasks.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, async () => {
    while (next < tasks.length) {
      const i = next++;
      out[i] = await tasks[i]!();
    }
  }));
  return out;
}

/**
 * The audit table as the sealer and the audit readers see it. Only the sealer function may write
 * seals (its role gets PutItem/BatchWriteItem on the table, nothing else writes there but events).
 */
export class DynamoAuditTrailStore implements SealStore, AuditReader {
  constructor(private readonly doc: DynamoDBDocumentClient, private readonly tableName: string) {}

  /** Every event with `at` in [fromMs, toMs]: AUDIT_SHARDS queries per hour of the range. */
  async eventsBetween(fromMs: number, toMs: number): Promise<AuditEvent[]> {
    const from = new Date(fromMs).toISOString();
    const to = new Date(toMs).toISOString();
    const tasks: (() => Promise<Record<string, unknown>[]>)[] = [];
    for (let hour = Math.floor(fromMs / HOUR_MS) * HOUR_MS; hour <= toMs; hour += HOUR_MS) {
      const at = new Date(hour).toISOString();
      for (let shard = 0; shard < AUDIT_SHARDS; shard++) {
        tasks.push(() => queryAll(this.doc, {
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': eventPartition(at, shard), ':from': from, ':to': `${to}\uffff` },
          ConsistentRead: true,
        }));
      }
    }
    return (await pooled(tasks)).flat().map(toEvent).filter((e) => e.at >= from && e.at <= to);
  }

  async latest(): Promise<Seal | undefined> {
    const out = await this.doc.send(new QueryCommand({
      TableName: this.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': SEAL_PK }, ScanIndexForward: false, Limit: 1, ConsistentRead: true,
    }));
    const item = out.Items?.[0];
    return item ? this.withEntries(item) : undefined;
  }

  async sealsSince(sealedAtMs: number): Promise<Seal[]> {
    return this.sealsBetween(new Date(sealedAtMs).toISOString(), '\uffff');
  }

  /** The seals that can name events with `at` in [fromAt, toAt]: made since fromAt, scanning from before toAt. */
  async sealsCovering(fromAt: string, toAt: string): Promise<Seal[]> {
    // A seal is made after its events; a day bounds how long the sealer may have been down.
    const until = new Date(Date.parse(toAt) + 86_400_000).toISOString();
    return (await this.sealsBetween(fromAt, until)).filter((s) => s.header.scanFrom <= toAt);
  }

  private async sealsBetween(from: string, to: string): Promise<Seal[]> {
    const headers = await queryAll(this.doc, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': SEAL_PK, ':from': `S#${from}`, ':to': `S#${to}` },
      ConsistentRead: true,
    });
    return Promise.all(headers.map((h) => this.withEntries(h)));
  }

  /** Pages first, the header last and only if its seq is free: the header is the commit. */
  async write(seal: Seal): Promise<boolean> {
    const h = seal.header;
    const ttl = Math.ceil((Date.parse(h.sealedAt) + h.retentionDays * 86_400_000 + SEAL_RETENTION_MARGIN_MS) / 1000);
    const pages = Array.from({ length: h.pages }, (_, p) => ({ ...pageKey(h.seq, p), entries: seal.entries.slice(p * PAGE_SIZE, (p + 1) * PAGE_SIZE), ttl }));
    for (const page of pages) await this.doc.send(new PutCommand({ TableName: this.tableName, Item: page }));
    try {
      await this.doc.send(new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: this.tableName, Item: { ...seqKey(h.seq), ttl }, ConditionExpression: 'attribute_not_exists(pk)' } },
          { Put: { TableName: this.tableName, Item: { ...sealKey(h), header: h, signature: seal.signature, hash: seal.hash, ttl } } },
        ],
      }));
      return true;
    } catch (error) {
      if (firstConditionFailed(error)) return false;
      throw error;
    }
  }

  /** For verification: every hour the table holds events for (a keys-only scan; one number per hour is kept). */
  async eventHours(): Promise<number[]> {
    const hours = new Set<number>();
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.doc.send(new ScanCommand({
        TableName: this.tableName, ExclusiveStartKey: start, ConsistentRead: true,
        ProjectionExpression: 'pk', FilterExpression: 'begins_with(pk, :e)', ExpressionAttributeValues: { ':e': 'E#' },
      }));
      for (const item of out.Items ?? []) hours.add(partitionHour(String(item.pk)));
      start = out.LastEvaluatedKey;
    } while (start);
    return [...hours];
  }

  /** For verification: one hour's events as stored, each with the key and the hour it sits under. */
  async eventsInHour(hourMs: number): Promise<(AuditEvent & { storedKey: string; storedHour: number })[]> {
    const at = new Date(hourMs).toISOString();
    const shards = await Promise.all(Array.from({ length: AUDIT_SHARDS }, (_, shard) => queryAll(this.doc, {
      TableName: this.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': eventPartition(at, shard) }, ConsistentRead: true,
    })));
    return shards.flat().map((item) => ({ ...toEvent(item), storedKey: String(item.sk), storedHour: partitionHour(String(item.pk)) }));
  }

  /** For verification: every seal with its entries, in sequence order, one at a time. */
  async *sealsInOrder(): AsyncGenerator<Seal> {
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.doc.send(new QueryCommand({
        TableName: this.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': SEAL_PK }, ExclusiveStartKey: start, ConsistentRead: true, Limit: 100,
      }));
      // Headers sort by sealedAt, which the sealer keeps monotonic with seq; the check refuses any other order.
      for (const item of out.Items ?? []) yield await this.withEntries(item);
      start = out.LastEvaluatedKey;
    } while (start);
  }

  async bySubject(subjectIndex: string, q: { from: string; until: string }): Promise<AuditEvent[]> {
    return this.byIndex(AUDIT_SUBJECT_INDEX, 'subjectIndex', subjectIndex, q);
  }

  async byResource(resource: string, q: { from: string; until: string }): Promise<AuditEvent[]> {
    return this.byIndex(AUDIT_RESOURCE_INDEX, 'resource', resource, q);
  }

  /** Events in time order from `after` (exclusive), hour by hour, until `limit` or `until`. */
  async inOrder(q: { after: string; until: string; limit: number }): Promise<AuditListPage> {
    const events: AuditEvent[] = [];
    const untilMs = Date.parse(q.until);
    for (let hour = Math.floor(Date.parse(q.after.slice(0, 24)) / HOUR_MS) * HOUR_MS; hour <= untilMs && events.length < q.limit; hour += HOUR_MS) {
      const at = new Date(hour).toISOString();
      const shards = await Promise.all(Array.from({ length: AUDIT_SHARDS }, (_, shard) => queryAll(this.doc, {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': eventPartition(at, shard), ':from': `${q.after}\u0000`, ':to': `${q.until}\uffff` },
      })));
      events.push(...shards.flat().map(toEvent).sort((a, b) => (`${a.at}#${a.id}` < `${b.at}#${b.id}` ? -1 : 1)));
    }
    const page = events.slice(0, q.limit);
    return { events: page, more: events.length > q.limit || (page.length === q.limit && Date.parse(page.at(-1)!.at) < untilMs) };
  }

  private async byIndex(index: string, attribute: string, value: string, q: { from: string; until: string }): Promise<AuditEvent[]> {
    const items = await queryAll(this.doc, {
      TableName: this.tableName,
      IndexName: index,
      KeyConditionExpression: '#a = :v AND sk BETWEEN :from AND :to',
      ExpressionAttributeNames: { '#a': attribute },
      ExpressionAttributeValues: { ':v': value, ':from': q.from, ':to': `${q.until}\uffff` },
    });
    return items.map(toEvent);
  }

  private async withEntries(item: Record<string, unknown>): Promise<Seal> {
    const header = item.header as SealHeader;
    const pages = await Promise.all(Array.from({ length: header.pages }, async (_, p) => {
      const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: pageKey(header.seq, p), ConsistentRead: true }));
      return (out.Item?.entries as string[] | undefined) ?? [];
    }));
    return { header, signature: String(item.signature), hash: String(item.hash), entries: pages.flat() };
  }
}
