import { GetCommand, UpdateCommand, type DynamoDBDocumentClient, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { LimitCounter } from '../ratelimit/limits.ts';
import { OTP_RULES, type Verification } from '../otp/verification.ts';
import { consentGuard } from '../consent/guard.ts';
import { subjectKey } from './tables.ts';
import { conditionalUpdate, type Conditional } from './conditional.ts';
import { explainConsentFailure } from './consent-reader.ts';
import { brakeGuard, ConditionFailed, countFailures, transactWithLimits } from './rate-limit-ops.ts';

/** The port the OTP domain uses; DynamoDB below, fakes in unit tests. */
export interface VerificationStore {
  /** Rate-limit counters and the new verification in one transaction. Throws RateLimited. */
  create(v: Verification, counters: LimitCounter[], nowMs: number): Promise<void>;
  get(id: string): Promise<Verification | undefined>;
  /** Single use: approves only a pending, unexpired, unexhausted verification with this hash. */
  approve(q: { id: string; clientId: string; codeHash: string; nowMs: number }): Promise<Outcome>;
  /** +1 attempt on a pending, unexpired verification with attempts left. */
  recordFailedAttempt(q: { id: string; clientId: string; nowMs: number }): Promise<Outcome>;
  /** Resend: a new code hash and expiry, one more send, guarded by the sends count seen. */
  replaceCode(
    q: { id: string; clientId: string; codeHash: string; seenSends: number; nowMs: number; expiresAt: number; phoneIndex: string; country: string },
    counters: LimitCounter[],
  ): Promise<Outcome>;
  cancel(q: { id: string; clientId: string; nowMs: number }): Promise<Outcome>;
  markFailed(id: string): Promise<void>;
  /** +1 in the number's failed-verification windows; returns the counts. */
  countFailure(counters: LimitCounter[]): Promise<number[]>;
}

/** On success the item after the write; on a failed condition the item as it was (or undefined). */
export type Outcome = Conditional<Verification>;

const key = (id: string) => ({ pk: `OTP#${id}`, sk: 'OTP' });
const ttlOf = (v: Pick<Verification, 'expiresAt'>) => Math.ceil((v.expiresAt + OTP_RULES.retainAfterExpiryMs) / 1000);

/** Shared by every write that needs the verification to still be usable. */
const USABLE =
  '#clientId = :clientId AND #status = :pending AND #expiresAt > :now AND #attempts < #maxAttempts';
const USABLE_NAMES = {
  '#clientId': 'clientId',
  '#status': 'status',
  '#expiresAt': 'expiresAt',
  '#attempts': 'attempts',
  '#maxAttempts': 'maxAttempts',
};

function fromItem(item: Record<string, unknown> | undefined): Verification | undefined {
  if (!item) return undefined;
  const { pk: _pk, sk: _sk, ttl: _ttl, subjectKey: _subject, ...v } = item;
  return v as Verification;
}

export class DynamoVerificationStore implements VerificationStore {
  constructor(private readonly doc: DynamoDBDocumentClient, private readonly tableName: string) {}

  async create(v: Verification, counters: LimitCounter[], nowMs: number): Promise<void> {
    await transactWithLimits(this.doc, this.tableName, counters, [
      consentGuard(this.tableName, v.phoneIndex, 'otp'),
      brakeGuard(this.tableName, v.country, nowMs),
      {
        Put: {
          TableName: this.tableName,
          Item: { ...key(v.id), ...subjectKey(v.phoneIndex), ...v, ttl: ttlOf(v) },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    ], nowMs).catch((error: unknown) => explainConsentFailure(this.doc, this.tableName, v.phoneIndex, error));
  }

  async get(id: string): Promise<Verification | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: key(id), ConsistentRead: true }));
    return fromItem(out.Item);
  }

  approve(q: { id: string; clientId: string; codeHash: string; nowMs: number }): Promise<Outcome> {
    return this.update(q.id, {
      UpdateExpression: 'SET #status = :approved, #approvedAt = :now',
      ConditionExpression: `${USABLE} AND #codeHash = :codeHash`,
      ExpressionAttributeNames: { ...USABLE_NAMES, '#approvedAt': 'approvedAt', '#codeHash': 'codeHash' },
      ExpressionAttributeValues: {
        ':clientId': q.clientId, ':pending': 'pending', ':now': q.nowMs, ':approved': 'approved', ':codeHash': q.codeHash,
      },
    });
  }

  recordFailedAttempt(q: { id: string; clientId: string; nowMs: number }): Promise<Outcome> {
    return this.update(q.id, {
      UpdateExpression: 'SET #attempts = #attempts + :one',
      ConditionExpression: USABLE,
      ExpressionAttributeNames: USABLE_NAMES,
      ExpressionAttributeValues: { ':clientId': q.clientId, ':pending': 'pending', ':now': q.nowMs, ':one': 1 },
    });
  }

  async replaceCode(
    q: { id: string; clientId: string; codeHash: string; seenSends: number; nowMs: number; expiresAt: number; phoneIndex: string; country: string },
    counters: LimitCounter[],
  ): Promise<Outcome> {
    try {
      await transactWithLimits(this.doc, this.tableName, counters, [
        consentGuard(this.tableName, q.phoneIndex, 'otp'),
        brakeGuard(this.tableName, q.country, q.nowMs),
        {
          Update: {
            TableName: this.tableName,
            Key: key(q.id),
            UpdateExpression:
              'SET #codeHash = :codeHash, #expiresAt = :expiresAt, #lastSentAt = :now, #ttl = :ttl ADD #sends :one',
            ConditionExpression: `${USABLE} AND #sends = :seenSends AND #sends < #maxSends`,
            ExpressionAttributeNames: {
              ...USABLE_NAMES, '#codeHash': 'codeHash', '#lastSentAt': 'lastSentAt', '#ttl': 'ttl',
              '#sends': 'sends', '#maxSends': 'maxSends',
            },
            ExpressionAttributeValues: {
              ':clientId': q.clientId, ':pending': 'pending', ':now': q.nowMs, ':codeHash': q.codeHash,
              ':expiresAt': q.expiresAt, ':ttl': ttlOf(q), ':one': 1, ':seenSends': q.seenSends,
            },
          },
        },
      ], q.nowMs);
    } catch (error) {
      if (error instanceof ConditionFailed) return { ok: false, current: await this.get(q.id) };
      return explainConsentFailure(this.doc, this.tableName, q.phoneIndex, error);
    }
    const item = await this.get(q.id);
    return item ? { ok: true, item } : { ok: false, current: undefined };
  }

  cancel(q: { id: string; clientId: string; nowMs: number }): Promise<Outcome> {
    return this.update(q.id, {
      UpdateExpression: 'SET #status = :canceled, #canceledAt = :now',
      ConditionExpression: USABLE,
      ExpressionAttributeNames: { ...USABLE_NAMES, '#canceledAt': 'canceledAt' },
      ExpressionAttributeValues: { ':clientId': q.clientId, ':pending': 'pending', ':now': q.nowMs, ':canceled': 'canceled' },
    });
  }

  countFailure(counters: LimitCounter[]): Promise<number[]> {
    return countFailures(this.doc, this.tableName, counters);
  }

  async markFailed(id: string): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: key(id),
        UpdateExpression: 'SET #status = :failed',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':failed': 'failed' },
      }),
    );
  }

  private update(id: string, expr: Pick<UpdateCommandInput, 'UpdateExpression' | 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'>): Promise<Outcome> {
    return conditionalUpdate(this.doc, { TableName: this.tableName, Key: key(id), ...expr, ReturnValues: 'ALL_NEW' }, fromItem);
  }

}
