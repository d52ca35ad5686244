import { TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { NewAuditEvent } from '../../audit/event.ts';
import type { FraudStore } from '../../fraud/blocks.ts';
import type { FraudBlock, RangeBlockReason, RangeCheck } from '../../fraud/ranges.ts';
import type { AuditItems } from './audit-items.ts';
import { queryAll } from './paged-query.ts';
import { rangeBlockKey } from './range-ops.ts';
import { brakeKey } from './rate-limit-ops.ts';
import { SUBJECT_INDEX, subjectKey } from './tables.ts';
import { firstConditionFailed } from './transaction-error.ts';

/**
 * Blocks live one item each (the send transactions check exactly theirs: no shared hot item) and
 * are listed through the data table's sparse index under one fixed key, as no number's blind index
 * can ever be `FRAUDBLOCKS`.
 */
const LISTING = { subjectKey: 'FRAUDBLOCKS' };
export const trustKey = (phoneIndex: string) => ({ pk: `TRUST#${phoneIndex}`, sk: 'TRUST' });

/**
 * Whether a number verified between `sinceMs` and `beforeMs`: read on a rare path (a send into a
 * blocked range) and off the request path (range credits). The number's approved verifications are
 * kept for the trust window; opened messages leave a TRUST item. Both are filed under its index.
 */
export async function numberTrusted(doc: DynamoDBDocumentClient, tableName: string, phoneIndex: string, sinceMs: number, beforeMs = Number.MAX_SAFE_INTEGER): Promise<boolean> {
  const items = await queryAll(doc, {
    TableName: tableName,
    IndexName: SUBJECT_INDEX,
    KeyConditionExpression: 'subjectKey = :s',
    FilterExpression: '(#status = :approved AND #approvedAt BETWEEN :since AND :last) OR (begins_with(pk, :trust) AND #at BETWEEN :since AND :last)',
    ExpressionAttributeNames: { '#status': 'status', '#approvedAt': 'approvedAt', '#at': 'at' },
    ExpressionAttributeValues: { ':s': subjectKey(phoneIndex).subjectKey, ':approved': 'approved', ':since': sinceMs, ':last': beforeMs - 1, ':trust': 'TRUST#' },
  });
  return items.length > 0;
}

export class DynamoFraudStore implements FraudStore {
  constructor(private readonly doc: DynamoDBDocumentClient, private readonly tableName: string, private readonly audit: AuditItems) {}

  isTrusted(phoneIndex: string, sinceMs: number, beforeMs?: number): Promise<boolean> {
    return numberTrusted(this.doc, this.tableName, phoneIndex, sinceMs, beforeMs);
  }

  async blockRange(r: RangeCheck, seen: { reason: RangeBlockReason; sent: number; approved: number }, untilMs: number, nowMs: number, event: NewAuditEvent): Promise<void> {
    try {
      await this.doc.send(new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: this.tableName,
              Item: { ...rangeBlockKey(r.tag), ...LISTING, kind: 'prefix', key: r.digits, since: nowMs, until: untilMs, ...seen, ttl: Math.ceil(untilMs / 1000) + 86_400 },
              // Concurrent refusals block once (one block, one event).
              ConditionExpression: 'attribute_not_exists(#until) OR #until < :now',
              ExpressionAttributeNames: { '#until': 'until' },
              ExpressionAttributeValues: { ':now': nowMs },
            },
          },
          this.audit.put(event),
        ],
      }));
    } catch (error) {
      if (!firstConditionFailed(error)) throw error;
    }
  }

  async list(nowMs: number): Promise<FraudBlock[]> {
    const items = await queryAll(this.doc, {
      TableName: this.tableName,
      IndexName: SUBJECT_INDEX,
      KeyConditionExpression: 'subjectKey = :s',
      FilterExpression: '#until > :now',
      ExpressionAttributeNames: { '#until': 'until' },
      ExpressionAttributeValues: { ':s': LISTING.subjectKey, ':now': nowMs },
    });
    return items.map((i) => ({
      kind: i.kind as FraudBlock['kind'], key: String(i.key), reason: String(i.reason), since: Number(i.since), until: Number(i.until),
      ...(i.sent !== undefined ? { sent: Number(i.sent), approved: Number(i.approved ?? 0) } : {}),
    }));
  }

  async put(block: FraudBlock & { tag?: string }, event: NewAuditEvent): Promise<void> {
    const key = block.kind === 'country' ? brakeKey(block.key) : rangeBlockKey(block.tag!);
    const { tag: _tag, ...fields } = block;
    // Country items keep `pausedUntil`, the attribute the send transactions check.
    const extra = block.kind === 'country' ? { pausedUntil: block.until } : {};
    await this.doc.send(new TransactWriteCommand({
      TransactItems: [
        { Put: { TableName: this.tableName, Item: { ...key, ...LISTING, ...fields, ...extra, ttl: Math.ceil(block.until / 1000) + 86_400 } } },
        this.audit.put(event),
      ],
    }));
  }

  async lift(kind: 'prefix' | 'country', keyOrTag: string, event: NewAuditEvent): Promise<boolean> {
    try {
      await this.doc.send(new TransactWriteCommand({
        TransactItems: [
          { Delete: { TableName: this.tableName, Key: kind === 'country' ? brakeKey(keyOrTag) : rangeBlockKey(keyOrTag), ConditionExpression: 'attribute_exists(pk)' } },
          this.audit.put(event),
        ],
      }));
      return true;
    } catch (error) {
      if (firstConditionFailed(error)) return false;
      throw error;
    }
  }
}
