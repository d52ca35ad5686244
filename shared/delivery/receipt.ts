import type { AuditTrail, NewAuditEvent } from '../audit/event.ts';

/**
 * What became of the SMS a verification or message sent, from the provider's delivery receipts.
 * Stored on the record as `receipt`; `smsId` (the provider's message id) sits beside it as a sparse
 * index key, so a receipt finds its record in one query whatever the provider.
 *
 * queued    committed, not yet accepted by the provider (or the function stopped in between)
 * sent      the provider accepted it; no final receipt yet
 * delivered / failed   the provider's final receipt
 * unknown   (view only) sent, and no final receipt within UNKNOWN_AFTER_MS
 */
type ReceiptStatus = 'queued' | 'sent' | 'delivered' | 'failed';
export type Receipt = { status: ReceiptStatus; at: number; errorCode?: string };
export type DeliveryStatus = ReceiptStatus | 'unknown';

export const UNKNOWN_AFTER_MS = 72 * 3_600_000;

export const queued = (nowMs: number): Receipt => ({ status: 'queued', at: nowMs });

/** The view: `unknown` is decided by the server clock at read time, so no job has to write it. */
export function deliveryView(r: Receipt | undefined, sentAt: number, nowMs: number): { status: DeliveryStatus; at: string; errorCode?: string } {
  // Records written before receipts existed were sent when they were created.
  const receipt = r ?? { status: 'sent', at: sentAt };
  const status: DeliveryStatus = (receipt.status === 'sent' || receipt.status === 'queued') && nowMs - receipt.at >= UNKNOWN_AFTER_MS ? 'unknown' : receipt.status;
  return { status, at: new Date(receipt.at).toISOString(), ...(receipt.errorCode ? { errorCode: receipt.errorCode } : {}) };
}

/** A final receipt from a provider (SNS delivery status log, End User Messaging event, local outbox). */
/**
 * A provider's word on one SMS: by its id (SNS logs), or also by the record reference we gave it
 * (End User Messaging's Context). `sent` is the provider's first, non-final word ("accepted, on its
 * way"): it only moves a `queued` receipt on, where no id was recorded after the send.
 */
export type ProviderReceipt = {
  smsId: string; ref?: string; status: 'sent' | 'delivered' | 'failed'; at: number; errorCode?: string;
  /** The channel, as the provider's event says it (per-channel failure counts). */
  channel?: 'sms' | 'voice' | 'whatsapp' | 'email';
  /** E-mail: the address must get no more mail (a hard bounce, a complaint); `only`: nothing else to apply (a complaint). */
  suppress?: { reason: 'bounced' | 'complained'; only?: true };
};

/**
 * The record reference a message carries to the provider and back: kind, id and which send it was
 * (and which step of a workflow, after the first), so a late receipt of an earlier one never lands on the next.
 */
export const smsRef = (kind: 'otp' | 'message', id: string, send: number, step = 0) => `${kind}:${id}:${send}${step ? `.${step}` : ''}`;
export function recordOfRef(ref: string): { kind: 'otp' | 'message'; id: string } | undefined {
  const m = /^(otp|message):([^:]{1,128}):\d{1,3}(?:\.\d)?$/.exec(ref);
  return m ? { kind: m[1] as 'otp' | 'message', id: m[2]! } : undefined;
}

/** The record an SMS belongs to, as the receipts index holds it. */
export type ReceiptTarget = { kind: 'otp' | 'message'; id: string; clientId: string; phoneIndex: string; phoneMask: string };

/** The port: DynamoDB (adapters/store/receipt-store.ts). */
export interface ReceiptStore {
  find(smsId: string): Promise<ReceiptTarget | undefined>;
  /** The record a reference names (End User Messaging receipts), if it still exists. */
  findByRef(ref: string): Promise<ReceiptTarget | undefined>;
  /** Sets the receipt if its SMS (by `ref`, else `smsId`) is still the record's (a resend supersedes it), with its event. */
  apply(target: ReceiptTarget, receipt: ProviderReceipt, event: NewAuditEvent): Promise<boolean>;
  /**
   * Suppresses the e-mail address the record's message went to, keyed by its blind index (it outlives
   * the record, and an erasure: nothing in it names the person), with its event, once.
   */
  suppress(target: ReceiptTarget, reason: 'bounced' | 'complained', atMs: number): Promise<boolean>;
}

export type ReceiptDeps = { receipts: ReceiptStore; audit?: AuditTrail };

type ReceiptOutcome = 'applied' | 'unmatched' | 'superseded';
/**
 * What a batch of receipts did: per outcome, the young unmatched ones (`early`), and how many applied
 * said the message failed, in all and per channel (`undelivered_<channel>`, where any).
 */
export type ReceiptTally = Record<ReceiptOutcome | 'early' | 'undelivered', number> & Partial<Record<`undelivered_${NonNullable<ProviderReceipt['channel']>}`, number>>;

/**
 * A receipt can overtake the write that records its SMS's id (delivery/sent.ts) when the provider
 * is fast or our write is slow. An unmatched receipt younger than this is tried again (the receipts
 * function fails, and its invocation is retried), not dropped.
 */
export const RECEIPT_RACE_WINDOW_MS = 120_000;

/**
 * Applies each receipt to its record with a `delivery.receipt` audit event in the same write; the
 * event feeds `delivery.delivered` / `delivery.failed` to the owner (events/). A receipt whose SMS
 * we do not know (another system's SMS in the same account, or a record erased since) is skipped.
 */
export async function applyReceipts(deps: ReceiptDeps, receipts: readonly ProviderReceipt[], nowMs = Date.now()): Promise<ReceiptTally> {
  const tally: ReceiptTally = { applied: 0, unmatched: 0, superseded: 0, early: 0, undelivered: 0 };
  for (const r of receipts) {
    const target = r.ref ? await deps.receipts.findByRef(r.ref) : await deps.receipts.find(r.smsId);
    if (!target) {
      tally.unmatched++;
      if (nowMs - r.at < RECEIPT_RACE_WINDOW_MS) tally.early++;
      continue;
    }
    if (r.suppress) await deps.receipts.suppress(target, r.suppress.reason, r.at);
    if (r.suppress?.only) continue;
    const applied = await deps.receipts.apply(target, r, {
      // `<status>:<errorCode>:<channel>` (API 1.2: the events say the channel; an absent one is SMS).
      actor: 'system', action: 'delivery.receipt', outcome: `${r.status}:${r.errorCode ?? ''}:${r.channel ?? 'sms'}`,
      subjectIndex: target.phoneIndex, subjectMask: target.phoneMask, resource: target.id, owner: target.clientId,
    });
    tally[applied ? 'applied' : 'superseded']++;
    if (applied && r.status === 'failed') {
      tally.undelivered++;
      if (r.channel) tally[`undelivered_${r.channel}`] = (tally[`undelivered_${r.channel}`] ?? 0) + 1;
    }
  }
  return tally;
}
