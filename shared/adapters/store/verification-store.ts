import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { NewAuditEvent } from '../../audit/event.ts';
import type { LimitCounter } from '../../ratelimit/limits.ts';
import type { RangeCheck } from '../../fraud/ranges.ts';
import type { RangeApproval, StepMove, VerificationStore, Written } from '../../otp/store.ts';
import type { Channel } from '../../channels/channel.ts';
import { OTP_RULES, type StepDelivery, type Verification } from '../../otp/verification.ts';
import { queued, type Receipt } from '../../delivery/receipt.ts';
import type { AuditItems } from './audit-items.ts';
import { sendGuards } from './consent-guard.ts';
import { addressRef, subjectKey } from './tables.ts';
import { expiryBucket, markSent } from './receipt-store.ts';
import { recordKey } from './record-keys.ts';
import { provenancePut } from './provenance-store.ts';
import type { SentText } from '../../provenance/provenance.ts';
import { explainConsentFailure } from './consent-reader.ts';
import { recordFailureWithEvent, writeWithEvent, type Update } from './conditional-write.ts';
import { rangeApproval, rangeGuards } from './range-ops.ts';
import { transactWithLimits, type Guarded, type TransactItem } from './rate-limit-ops.ts';

const key = (id: string) => recordKey('otp', id);
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
const usableValues = (q: { clientId: string; nowMs: number }) => ({ ':clientId': q.clientId, ':pending': 'pending', ':now': q.nowMs });

function fromItem(item: Record<string, unknown> | undefined): Verification | undefined {
  if (!item) return undefined;
  const { pk: _pk, sk: _sk, ttl: _ttl, subjectKey: _subject, expiryBucket: _bucket, smsId: _smsId, ...v } = item;
  return v as Verification;
}

export class DynamoVerificationStore implements VerificationStore {
  constructor(
    readonly doc: DynamoDBDocumentClient,
    readonly tableName: string,
    readonly audit: AuditItems,
  ) {}

  readonly fromItem = fromItem;

  async create(v: Verification, counters: LimitCounter[], nowMs: number, event: NewAuditEvent, range?: RangeCheck, sent?: SentText, moreEvents: NewAuditEvent[] = []): Promise<void> {
    await transactWithLimits(this.doc, this.tableName, counters, [
      ...sendGuards(this.tableName, { phoneIndex: v.phoneIndex, country: v.country, kind: 'otp', nowMs, channel: v.channel ?? 'sms', ...(v.emailIndex ? { emailIndex: v.emailIndex } : {}) }),
      ...(range ? rangeGuards(this.tableName, range, nowMs) : []),
      {
        Put: {
          TableName: this.tableName,
          Item: { ...key(v.id), ...subjectKey(v.phoneIndex), ...v, expiryBucket: expiryBucket(v.expiresAt), ttl: ttlOf(v) },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      // Filed under the address too, unless the address is its subject already (a verification by e-mail alone).
      ...(v.emailIndex && v.emailIndex !== v.phoneIndex ? [addressRef(this.tableName, v.emailIndex, key(v.id), ttlOf(v))] : []),
      this.audit.put(event),
      ...moreEvents.map((e) => this.audit.put(e)),
      ...(sent ? [provenancePut(this.tableName, sent)] : []),
    ], nowMs).catch((error: unknown) => explainConsentFailure(this.doc, this.tableName, error));
  }

  async get(id: string): Promise<Verification | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: key(id), ConsistentRead: true }));
    return fromItem(out.Item);
  }

  approve(q: { id: string; clientId: string; codeHash: string; nowMs: number; keepUntil: number }, event: NewAuditEvent, approval?: RangeApproval): Promise<Written> {
    return this.write(q.id, q.nowMs, [], event, {
      // Kept as the number's trust record; what could resend or re-check a code goes now.
      // Any code still valid: the one sent last, or one of a workflow's earlier steps (`codeHashes`).
      UpdateExpression: 'SET #status = :approved, #approvedAt = :now, #ttl = :keep REMOVE #codeHash, #codeHashes, #bindingHash, #sealedDelivery, #expiryBucket',
      ConditionExpression: `${USABLE} AND (#codeHash = :codeHash OR contains(#codeHashes, :codeHash))`,
      ExpressionAttributeNames: { ...USABLE_NAMES, '#approvedAt': 'approvedAt', '#codeHash': 'codeHash', '#codeHashes': 'codeHashes', '#ttl': 'ttl', '#bindingHash': 'bindingHash', '#sealedDelivery': 'sealedDelivery', '#expiryBucket': 'expiryBucket' },
      ExpressionAttributeValues: { ...usableValues(q), ':approved': 'approved', ':codeHash': q.codeHash, ':keep': Math.ceil(q.keepUntil / 1000) },
    }, [], approval ? [rangeApproval(this.tableName, approval)] : []);
  }

  recordFailure(
    q: { id: string; clientId: string; seenAttempts: number; nowMs: number },
    failures: LimitCounter[],
    event: (locked: boolean) => NewAuditEvent,
  ): Promise<Written & { locked?: boolean }> {
    return recordFailureWithEvent(this, {
      key: key(q.id), nowMs: q.nowMs, failures, event,
      update: {
        UpdateExpression: 'SET #attempts = #attempts + :one',
        ConditionExpression: `${USABLE} AND #attempts = :seen`,
        ExpressionAttributeNames: USABLE_NAMES,
        ExpressionAttributeValues: { ...usableValues(q), ':one': 1, ':seen': q.seenAttempts },
      },
    });
  }

  replaceCode(
    q: { id: string; clientId: string; codeHash: string; seenSends: number; nowMs: number; expiresAt: number; phoneIndex: string; country: string; smsRef: string; channel: Channel; previous: StepDelivery; emailIndex?: string },
    counters: LimitCounter[],
    event: NewAuditEvent,
    range?: RangeCheck,
    sent?: SentText,
  ): Promise<Written> {
    return this.write(q.id, q.nowMs, counters, event, {
      // A new message: queued again until the provider takes it; receipts of the old one no longer apply
      // (it joins `deliveries` as it stands). Resend replaces: a workflow's earlier codes, and the workflow, end.
      UpdateExpression: 'SET #codeHash = :codeHash, #expiresAt = :expiresAt, #lastSentAt = :now, #ttl = :ttl, #expiryBucket = :bucket, #receipt = :queued, #smsRef = :smsRef, #channel = :channel, #deliveries = list_append(if_not_exists(#deliveries, :none), :previous) ADD #sends :one REMOVE #smsId, #codeHashes, #steps, #step',
      ConditionExpression: `${USABLE} AND #sends = :seenSends AND #sends < #maxSends`,
      ExpressionAttributeNames: { ...USABLE_NAMES, '#codeHash': 'codeHash', '#codeHashes': 'codeHashes', '#channel': 'channel', '#lastSentAt': 'lastSentAt', '#ttl': 'ttl', '#sends': 'sends', '#maxSends': 'maxSends', '#expiryBucket': 'expiryBucket', '#receipt': 'receipt', '#smsId': 'smsId', '#smsRef': 'smsRef', '#deliveries': 'deliveries', '#steps': 'steps', '#step': 'step' },
      ExpressionAttributeValues: {
        ...usableValues(q), ':codeHash': q.codeHash, ':expiresAt': q.expiresAt, ':ttl': ttlOf(q), ':one': 1, ':seenSends': q.seenSends,
        ':bucket': expiryBucket(q.expiresAt), ':queued': queued(q.nowMs), ':smsRef': q.smsRef, ':channel': q.channel, ':none': [], ':previous': [q.previous],
      },
    }, [...sendGuards(this.tableName, { phoneIndex: q.phoneIndex, country: q.country, kind: 'otp', nowMs: q.nowMs, channel: q.channel, ...(q.emailIndex ? { emailIndex: q.emailIndex } : {}) }), ...(range ? rangeGuards(this.tableName, range, q.nowMs) : [])], sent ? [provenancePut(this.tableName, sent)] : [])
      .catch((error: unknown) => explainConsentFailure(this.doc, this.tableName, error));
  }

  advanceStep(
    q: StepMove,
    counters: LimitCounter[],
    events: [NewAuditEvent, ...NewAuditEvent[]],
    range?: RangeCheck,
    sent?: SentText,
  ): Promise<Written> {
    const [event, ...more] = events;
    return this.write(q.id, q.nowMs, counters, event, {
      // The new step's code joins the others (all valid together); its message is queued like a new
      // SMS, and the step before joins `deliveries` as it stands.
      UpdateExpression: 'SET #step = :next, #channel = :channel, #codeHashes = list_append(if_not_exists(#codeHashes, :none), :hash), #deliveries = list_append(if_not_exists(#deliveries, :none), :previous), #lastSentAt = :now, #receipt = :queued, #smsRef = :smsRef REMOVE #smsId',
      ConditionExpression: '#status = :pending AND #expiresAt > :now AND #step = :from AND size(#steps) > :next',
      ExpressionAttributeNames: { '#status': 'status', '#expiresAt': 'expiresAt', '#step': 'step', '#steps': 'steps', '#channel': 'channel', '#codeHashes': 'codeHashes', '#deliveries': 'deliveries', '#lastSentAt': 'lastSentAt', '#receipt': 'receipt', '#smsRef': 'smsRef', '#smsId': 'smsId' },
      ExpressionAttributeValues: {
        ':pending': 'pending', ':now': q.nowMs, ':from': q.fromStep, ':next': q.fromStep + 1, ':none': [], ':hash': [q.codeHash], ':queued': queued(q.nowMs), ':smsRef': q.smsRef,
        ':channel': q.channel, ':previous': [q.previous],
      },
    // A fallback step is a send like any other: the number's consent and its country's brake, its windows and its range.
    }, [...sendGuards(this.tableName, { phoneIndex: q.phoneIndex, country: q.country, kind: 'otp', nowMs: q.nowMs, channel: q.channel, ...(q.emailIndex ? { emailIndex: q.emailIndex } : {}) }), ...(range ? rangeGuards(this.tableName, range, q.nowMs) : [])],
    [...more.map((e) => this.audit.put(e)), ...(sent ? [provenancePut(this.tableName, sent)] : [])])
      .catch((error: unknown) => explainConsentFailure(this.doc, this.tableName, error));
  }

  cancel(q: { id: string; clientId: string; nowMs: number }, event: NewAuditEvent): Promise<Written> {
    return this.write(q.id, q.nowMs, [], event, {
      UpdateExpression: 'SET #status = :canceled, #canceledAt = :now REMOVE #expiryBucket',
      ConditionExpression: USABLE,
      ExpressionAttributeNames: { ...USABLE_NAMES, '#canceledAt': 'canceledAt', '#expiryBucket': 'expiryBucket' },
      ExpressionAttributeValues: { ...usableValues(q), ':canceled': 'canceled' },
    });
  }

  async failStep(id: string, ref: string, receipt: Receipt, event: NewAuditEvent): Promise<void> {
    await this.write(id, receipt.at, [], event, {
      UpdateExpression: 'SET #receipt = :receipt',
      ConditionExpression: '#smsRef = :ref AND #status = :pending',
      ExpressionAttributeNames: { '#receipt': 'receipt', '#smsRef': 'smsRef', '#status': 'status' },
      ExpressionAttributeValues: { ':receipt': receipt, ':ref': ref, ':pending': 'pending' },
    });
  }

  async markFailed(id: string, event: NewAuditEvent): Promise<void> {
    const now = this.audit.now();
    await this.write(id, now, [], event, {
      UpdateExpression: 'SET #status = :failed, #receipt = :receipt REMOVE #expiryBucket',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#status': 'status', '#receipt': 'receipt', '#expiryBucket': 'expiryBucket' },
      ExpressionAttributeValues: { ':failed': 'failed', ':receipt': { status: 'failed', at: now, errorCode: event.outcome } },
    });
  }

  markSent(id: string, smsId: string, atMs: number): Promise<void> {
    return markSent(this.doc, this.tableName, 'otp', id, smsId, atMs);
  }

  private write(id: string, nowMs: number, counters: LimitCounter[], event: NewAuditEvent, update: Update, guards: Guarded[] = [], also: TransactItem[] = []): Promise<Written> {
    return writeWithEvent(this, { key: key(id), update, event, nowMs, counters, guards, also });
  }
}
