import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { NewAuditEvent } from '../../audit/event.ts';
import type { SendKind } from '../../consent/guard.ts';
import type { ArchivedMessage } from '../../messages/archive.ts';
import { MESSAGE_RULES, type Message } from '../../messages/message.ts';
import { archiveOutboxPut } from './archive-outbox-store.ts';
import type { MessageStore, Written } from '../../messages/store.ts';
import type { LimitCounter } from '../../ratelimit/limits.ts';
import type { AuditItems } from './audit-items.ts';
import { recordFailureWithEvent, writeWithEvent, type Update } from './conditional-write.ts';
import { sendGuards } from './consent-guard.ts';
import { explainConsentFailure } from './consent-reader.ts';
import { addressRef, subjectKey } from './tables.ts';
import { expiryBucket, markSent } from './receipt-store.ts';
import { recordKey } from './record-keys.ts';
import { provenancePut } from './provenance-store.ts';
import type { SentText } from '../../provenance/provenance.ts';
import { trustKey } from './fraud-store.ts';
import { transactWithLimits, type Guarded, type TransactItem } from './rate-limit-ops.ts';

const key = (id: string) => recordKey('message', id);
export const linkKey = (hash: string) => ({ pk: `LINK#${hash}`, sk: 'LINK' });
const ttlOf = (expiresAt: number) => Math.ceil((expiresAt + MESSAGE_RULES.retainAfterExpiryMs) / 1000);

/** The recipient can still act: not expired, not revoked or failed, body present, attempts left. */
const OPENABLE = '#status IN (:sent, :opened) AND #expiresAt > :now AND attribute_exists(#sealedBody) AND #openAttempts < #maxOpenAttempts';
const OPENABLE_NAMES = { '#status': 'status', '#expiresAt': 'expiresAt', '#sealedBody': 'sealedBody', '#openAttempts': 'openAttempts', '#maxOpenAttempts': 'maxOpenAttempts' };
const openableValues = (now: number) => ({ ':sent': 'sent', ':opened': 'opened', ':now': now });

function fromItem(item: Record<string, unknown> | undefined): Message | undefined {
  if (!item) return undefined;
  const { pk: _pk, sk: _sk, ttl: _ttl, subjectKey: _subject, expiryBucket: _bucket, smsId: _smsId, ...m } = item;
  return m as Message;
}

export class DynamoMessageStore implements MessageStore {
  constructor(
    readonly doc: DynamoDBDocumentClient,
    readonly tableName: string,
    readonly audit: AuditItems,
    /** Where archived copies wait for the archiver; stages without an archive have none. */
    private readonly archiveOutboxTable?: string,
  ) {}

  readonly fromItem = fromItem;

  async create(m: Message, link: string | undefined, counters: LimitCounter[], kind: SendKind, nowMs: number, event: NewAuditEvent, sent?: SentText, archived?: ArchivedMessage): Promise<void> {
    const ttl = ttlOf(m.expiresAt);
    if (archived && !this.archiveOutboxTable) throw new Error('No archive outbox is configured for an archived category');
    await transactWithLimits(this.doc, this.tableName, counters, [
      ...sendGuards(this.tableName, { phoneIndex: m.phoneIndex, country: m.country, kind, nowMs, ...(m.channel ? { channel: m.channel } : {}), ...(m.emailIndex ? { emailIndex: m.emailIndex } : {}) }),
      { Put: { TableName: this.tableName, Item: { ...key(m.id), ...subjectKey(m.phoneIndex), ...m, expiryBucket: expiryBucket(m.expiresAt), ttl }, ConditionExpression: 'attribute_not_exists(pk)' } },
      ...(link
        ? [{ Put: { TableName: this.tableName, Item: { ...linkKey(link), messageId: m.id, ttl }, ConditionExpression: 'attribute_not_exists(pk)' } }]
        : []),
      ...(m.emailIndex ? [addressRef(this.tableName, m.emailIndex, key(m.id), ttl)] : []),
      this.audit.put(event),
      ...(sent ? [provenancePut(this.tableName, sent)] : []),
      ...(archived ? [archiveOutboxPut(this.archiveOutboxTable!, archived)] : []),
    ], nowMs).catch((error: unknown) => explainConsentFailure(this.doc, this.tableName, error));
  }

  async get(id: string): Promise<Message | undefined> {
    return fromItem((await this.doc.send(new GetCommand({ TableName: this.tableName, Key: key(id), ConsistentRead: true }))).Item);
  }

  async findByLink(hash: string): Promise<Message | undefined> {
    const link = (await this.doc.send(new GetCommand({ TableName: this.tableName, Key: linkKey(hash), ConsistentRead: true }))).Item;
    return typeof link?.messageId === 'string' ? this.get(link.messageId) : undefined;
  }

  setOpenCode(
    q: { id: string; codeHash: string; codeExpiresAt: number; seenSends: number; nowMs: number; country: string; phoneIndex: string; channel?: 'email' | 'whatsapp'; emailIndex?: string },
    counters: LimitCounter[],
    event: NewAuditEvent,
  ): Promise<Written> {
    // Guarded like every send: a number that opted out since the message (STOP) gets no open code.
    const guards = sendGuards(this.tableName, { phoneIndex: q.phoneIndex, country: q.country, kind: 'otp', nowMs: q.nowMs, ...(q.channel ? { channel: q.channel } : {}), ...(q.emailIndex ? { emailIndex: q.emailIndex } : {}) });
    return this.write(q.id, q.nowMs, event, {
      UpdateExpression: 'SET #openCodeHash = :h, #openCodeExpiresAt = :exp, #openLastSentAt = :now ADD #openSends :one',
      ConditionExpression: `${OPENABLE} AND #openSends = :seen`,
      ExpressionAttributeNames: { ...OPENABLE_NAMES, '#openCodeHash': 'openCodeHash', '#openCodeExpiresAt': 'openCodeExpiresAt', '#openLastSentAt': 'openLastSentAt', '#openSends': 'openSends' },
      ExpressionAttributeValues: { ...openableValues(q.nowMs), ':h': q.codeHash, ':exp': q.codeExpiresAt, ':one': 1, ':seen': q.seenSends },
    }, counters, guards).catch((error: unknown) => explainConsentFailure(this.doc, this.tableName, error));
  }

  open(q: { id: string; codeHash: string; answerHash?: string; burn: boolean; seenBody: string; nowMs: number }, event: NewAuditEvent, trust: { phoneIndex: string; until: number }): Promise<Written> {
    const trusted = { ...trustKey(trust.phoneIndex), ...subjectKey(trust.phoneIndex), at: q.nowMs, ttl: Math.ceil(trust.until / 1000) };
    return this.write(q.id, q.nowMs, event, {
      UpdateExpression: q.burn
        ? 'SET #status = :opened, #openedAt = :now REMOVE #sealedBody, #openCodeHash, #openCodeExpiresAt, #expiryBucket'
        : 'SET #status = :opened, #openedAt = if_not_exists(#openedAt, :now) REMOVE #openCodeHash, #openCodeExpiresAt',
      // The body opened must be the ciphertext the caller read (and whose data key it unwrapped).
      // With a recipient check, the answer's hash is part of the same condition.
      ConditionExpression: `${OPENABLE} AND #burn = :burn AND #openCodeHash = :h AND #openCodeExpiresAt > :now AND #sealedBody = :body${q.answerHash ? ' AND #checkHash = :a' : ' AND attribute_not_exists(#checkHash)'}`,
      ExpressionAttributeNames: {
        ...OPENABLE_NAMES, '#openedAt': 'openedAt', '#openCodeHash': 'openCodeHash', '#openCodeExpiresAt': 'openCodeExpiresAt', '#burn': 'burnAfterRead', '#checkHash': 'checkHash',
        ...(q.burn ? { '#expiryBucket': 'expiryBucket' } : {}),
      },
      ExpressionAttributeValues: { ...openableValues(q.nowMs), ':h': q.codeHash, ':burn': q.burn, ':body': q.seenBody, ...(q.answerHash ? { ':a': q.answerHash } : {}) },
    }, [], [], [{ Put: { TableName: this.tableName, Item: trusted } }]);
  }

  recordFailedOpen(q: { id: string; seenAttempts: number; nowMs: number }, failures: LimitCounter[], event: (locked: boolean) => NewAuditEvent): Promise<Written & { locked?: boolean }> {
    return recordFailureWithEvent(this, {
      key: key(q.id), nowMs: q.nowMs, failures, event,
      update: {
        UpdateExpression: 'SET #openAttempts = #openAttempts + :one',
        ConditionExpression: `${OPENABLE} AND #openAttempts = :seen`,
        ExpressionAttributeNames: OPENABLE_NAMES,
        ExpressionAttributeValues: { ...openableValues(q.nowMs), ':one': 1, ':seen': q.seenAttempts },
      },
    });
  }

  revoke(q: { id: string; clientId: string; nowMs: number }, event: NewAuditEvent): Promise<Written> {
    return this.write(q.id, q.nowMs, event, {
      UpdateExpression: 'SET #status = :revoked, #revokedAt = :now REMOVE #sealedBody, #openCodeHash, #openCodeExpiresAt, #expiryBucket',
      ConditionExpression: '#clientId = :c AND #status IN (:sent, :opened) AND #expiresAt > :now AND (#delivery = :direct OR attribute_exists(#sealedBody))',
      ExpressionAttributeNames: {
        '#clientId': 'clientId', '#status': 'status', '#expiresAt': 'expiresAt', '#delivery': 'delivery', '#sealedBody': 'sealedBody',
        '#revokedAt': 'revokedAt', '#openCodeHash': 'openCodeHash', '#openCodeExpiresAt': 'openCodeExpiresAt', '#expiryBucket': 'expiryBucket',
      },
      ExpressionAttributeValues: { ':c': q.clientId, ':sent': 'sent', ':opened': 'opened', ':now': q.nowMs, ':direct': 'direct', ':revoked': 'revoked' },
    });
  }

  markExpired(q: { id: string; nowMs: number }, event: NewAuditEvent): Promise<Written> {
    // The sweep's own write is conditional on the expiry bucket this removes, and sets expiredAt: one event either way.
    return this.write(q.id, q.nowMs, event, {
      UpdateExpression: 'SET #expiredAt = :now REMOVE #expiryBucket, #sealedBody, #openCodeHash, #openCodeExpiresAt',
      ConditionExpression: 'attribute_not_exists(#expiredAt) AND #status IN (:sent, :opened) AND #expiresAt <= :now',
      ExpressionAttributeNames: {
        '#expiredAt': 'expiredAt', '#status': 'status', '#expiresAt': 'expiresAt', '#expiryBucket': 'expiryBucket',
        '#sealedBody': 'sealedBody', '#openCodeHash': 'openCodeHash', '#openCodeExpiresAt': 'openCodeExpiresAt',
      },
      ExpressionAttributeValues: { ':now': q.nowMs, ':sent': 'sent', ':opened': 'opened' },
    });
  }

  async markFailed(id: string, event: NewAuditEvent): Promise<void> {
    const now = this.audit.now();
    await this.write(id, now, event, {
      UpdateExpression: 'SET #status = :failed, #receipt = :receipt REMOVE #sealedBody, #expiryBucket',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#status': 'status', '#sealedBody': 'sealedBody', '#receipt': 'receipt', '#expiryBucket': 'expiryBucket' },
      ExpressionAttributeValues: { ':failed': 'failed', ':receipt': { status: 'failed', at: now, errorCode: event.outcome } },
    });
  }

  markSent(id: string, smsId: string, atMs: number): Promise<void> {
    return markSent(this.doc, this.tableName, 'message', id, smsId, atMs);
  }

  private write(id: string, nowMs: number, event: NewAuditEvent, update: Update, counters: LimitCounter[] = [], guards: Guarded[] = [], also: TransactItem[] = []): Promise<Written> {
    return writeWithEvent(this, { key: key(id), update, event, nowMs, counters, guards, also });
  }
}
