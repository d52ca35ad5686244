import { GetCommand, UpdateCommand, type DynamoDBDocumentClient, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { consentGuard, type SendKind } from '../consent/guard.ts';
import { MESSAGE_RULES, type Message } from '../messages/message.ts';
import type { LimitCounter } from '../ratelimit/limits.ts';
import { conditionalUpdate, type Conditional } from './conditional.ts';
import { explainConsentFailure } from './consent-reader.ts';
import { subjectKey } from './tables.ts';
import { brakeGuard, ConditionFailed, countFailures, transactWithLimits } from './rate-limit-ops.ts';

export type MessageOutcome = Conditional<Message>;

/** The port the messages domain uses; DynamoDB below. */
export interface MessageStore {
  /** Counters, the consent condition, the message and its link in one transaction. */
  create(m: Message, link: string | undefined, counters: LimitCounter[], kind: SendKind, nowMs: number): Promise<void>;
  get(id: string): Promise<Message | undefined>;
  findByLink(hash: string): Promise<Message | undefined>;
  /** A new open code for the recipient, guarded by the sends count seen, with the phone's counters. */
  setOpenCode(q: { id: string; codeHash: string; codeExpiresAt: number; seenSends: number; nowMs: number; country: string }, counters: LimitCounter[]): Promise<MessageOutcome>;
  /** +1 in the number's failed-verification windows; returns the counts. */
  countFailure(counters: LimitCounter[]): Promise<number[]>;
  /** The right code: opens; with burn-after-read the body is removed in the same write. Returns the item as it was. */
  open(q: { id: string; codeHash: string; burn: boolean; nowMs: number }): Promise<MessageOutcome>;
  recordFailedOpen(q: { id: string; nowMs: number }): Promise<MessageOutcome>;
  /** Remote wipe: revoked, the body and any open code removed at once. */
  revoke(q: { id: string; clientId: string; nowMs: number }): Promise<MessageOutcome>;
  markFailed(id: string): Promise<void>;
}

const key = (id: string) => ({ pk: `MSG#${id}`, sk: 'MSG' });
export const linkKey = (hash: string) => ({ pk: `LINK#${hash}`, sk: 'LINK' });
const ttlOf = (expiresAt: number) => Math.ceil((expiresAt + MESSAGE_RULES.retainAfterExpiryMs) / 1000);

/** The recipient can still act: not expired, not revoked or failed, body present, attempts left. */
const OPENABLE = '#status IN (:sent, :opened) AND #expiresAt > :now AND attribute_exists(#sealedBody) AND #openAttempts < #maxOpenAttempts';
const OPENABLE_NAMES = { '#status': 'status', '#expiresAt': 'expiresAt', '#sealedBody': 'sealedBody', '#openAttempts': 'openAttempts', '#maxOpenAttempts': 'maxOpenAttempts' };
const openableValues = (now: number) => ({ ':sent': 'sent', ':opened': 'opened', ':now': now });

function fromItem(item: Record<string, unknown> | undefined): Message | undefined {
  if (!item) return undefined;
  const { pk: _pk, sk: _sk, ttl: _ttl, subjectKey: _subject, ...m } = item;
  return m as Message;
}

export class DynamoMessageStore implements MessageStore {
  constructor(private readonly doc: DynamoDBDocumentClient, private readonly tableName: string) {}

  async create(m: Message, link: string | undefined, counters: LimitCounter[], kind: SendKind, nowMs: number): Promise<void> {
    const ttl = ttlOf(m.expiresAt);
    await transactWithLimits(this.doc, this.tableName, counters, [
      consentGuard(this.tableName, m.phoneIndex, kind),
      brakeGuard(this.tableName, m.country, nowMs),
      { Put: { TableName: this.tableName, Item: { ...key(m.id), ...subjectKey(m.phoneIndex), ...m, ttl }, ConditionExpression: 'attribute_not_exists(pk)' } },
      ...(link
        ? [{ Put: { TableName: this.tableName, Item: { ...linkKey(link), messageId: m.id, ttl }, ConditionExpression: 'attribute_not_exists(pk)' } }]
        : []),
    ], nowMs).catch((error: unknown) => explainConsentFailure(this.doc, this.tableName, m.phoneIndex, error));
  }

  async get(id: string): Promise<Message | undefined> {
    return fromItem((await this.doc.send(new GetCommand({ TableName: this.tableName, Key: key(id), ConsistentRead: true }))).Item);
  }

  async findByLink(hash: string): Promise<Message | undefined> {
    const link = (await this.doc.send(new GetCommand({ TableName: this.tableName, Key: linkKey(hash), ConsistentRead: true }))).Item;
    return typeof link?.messageId === 'string' ? this.get(link.messageId) : undefined;
  }

  countFailure(counters: LimitCounter[]): Promise<number[]> {
    return countFailures(this.doc, this.tableName, counters);
  }

  async setOpenCode(q: { id: string; codeHash: string; codeExpiresAt: number; seenSends: number; nowMs: number; country: string }, counters: LimitCounter[]): Promise<MessageOutcome> {
    try {
      await transactWithLimits(this.doc, this.tableName, counters, [
        brakeGuard(this.tableName, q.country, q.nowMs),
        {
          Update: {
            TableName: this.tableName,
            Key: key(q.id),
            UpdateExpression: 'SET #openCodeHash = :h, #openCodeExpiresAt = :exp, #openLastSentAt = :now ADD #openSends :one',
            ConditionExpression: `${OPENABLE} AND #openSends = :seen`,
            ExpressionAttributeNames: { ...OPENABLE_NAMES, '#openCodeHash': 'openCodeHash', '#openCodeExpiresAt': 'openCodeExpiresAt', '#openLastSentAt': 'openLastSentAt', '#openSends': 'openSends' },
            ExpressionAttributeValues: { ...openableValues(q.nowMs), ':h': q.codeHash, ':exp': q.codeExpiresAt, ':one': 1, ':seen': q.seenSends },
          },
        },
      ], q.nowMs);
    } catch (error) {
      if (error instanceof ConditionFailed) return { ok: false, current: await this.get(q.id) };
      throw error;
    }
    const item = await this.get(q.id);
    return item ? { ok: true, item } : { ok: false, current: undefined };
  }

  open(q: { id: string; codeHash: string; burn: boolean; nowMs: number }): Promise<MessageOutcome> {
    return this.update(q.id, 'ALL_OLD', {
      UpdateExpression: q.burn
        ? 'SET #status = :opened, #openedAt = :now REMOVE #sealedBody, #openCodeHash, #openCodeExpiresAt'
        : 'SET #status = :opened, #openedAt = if_not_exists(#openedAt, :now) REMOVE #openCodeHash, #openCodeExpiresAt',
      ConditionExpression: `${OPENABLE} AND #burn = :burn AND #openCodeHash = :h AND #openCodeExpiresAt > :now`,
      ExpressionAttributeNames: { ...OPENABLE_NAMES, '#openedAt': 'openedAt', '#openCodeHash': 'openCodeHash', '#openCodeExpiresAt': 'openCodeExpiresAt', '#burn': 'burnAfterRead' },
      ExpressionAttributeValues: { ...openableValues(q.nowMs), ':h': q.codeHash, ':burn': q.burn },
    });
  }

  recordFailedOpen(q: { id: string; nowMs: number }): Promise<MessageOutcome> {
    return this.update(q.id, 'ALL_NEW', {
      UpdateExpression: 'SET #openAttempts = #openAttempts + :one',
      ConditionExpression: OPENABLE,
      ExpressionAttributeNames: OPENABLE_NAMES,
      ExpressionAttributeValues: { ...openableValues(q.nowMs), ':one': 1 },
    });
  }

  revoke(q: { id: string; clientId: string; nowMs: number }): Promise<MessageOutcome> {
    return this.update(q.id, 'ALL_NEW', {
      UpdateExpression: 'SET #status = :revoked, #revokedAt = :now REMOVE #sealedBody, #openCodeHash, #openCodeExpiresAt',
      ConditionExpression: '#clientId = :c AND #status IN (:sent, :opened) AND #expiresAt > :now AND (#delivery = :direct OR attribute_exists(#sealedBody))',
      ExpressionAttributeNames: {
        '#clientId': 'clientId', '#status': 'status', '#expiresAt': 'expiresAt', '#delivery': 'delivery', '#sealedBody': 'sealedBody',
        '#revokedAt': 'revokedAt', '#openCodeHash': 'openCodeHash', '#openCodeExpiresAt': 'openCodeExpiresAt',
      },
      ExpressionAttributeValues: { ':c': q.clientId, ':sent': 'sent', ':opened': 'opened', ':now': q.nowMs, ':direct': 'direct', ':revoked': 'revoked' },
    });
  }

  async markFailed(id: string): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: key(id),
        UpdateExpression: 'SET #status = :failed REMOVE #sealedBody',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#status': 'status', '#sealedBody': 'sealedBody' },
        ExpressionAttributeValues: { ':failed': 'failed' },
      }),
    );
  }

  private update(
    id: string,
    returnValues: 'ALL_OLD' | 'ALL_NEW',
    expr: Pick<UpdateCommandInput, 'UpdateExpression' | 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'>,
  ): Promise<MessageOutcome> {
    return conditionalUpdate(this.doc, { TableName: this.tableName, Key: key(id), ...expr, ReturnValues: returnValues }, fromItem);
  }

}
