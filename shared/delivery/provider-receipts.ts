import type { ProviderReceipt } from './receipt.ts';

/**
 * The providers' receipt formats, reduced to ProviderReceipt. Both carry the full destination
 * number; it is never read here, so it cannot reach a log or a record.
 */

/**
 * One SNS SMS delivery status log line (CloudWatch Logs group `sns/<region>/<account>/
 * DirectPublishToPhoneNumber[/Failure]`): `{ notification: { messageId, timestamp }, delivery: {
 * providerResponse, ... }, status: "SUCCESS" | "FAILURE" }`.
 */
export function fromSnsDeliveryLog(line: string): ProviderReceipt | undefined {
  let log: { notification?: { messageId?: unknown; timestamp?: unknown }; delivery?: { providerResponse?: unknown }; status?: unknown };
  try {
    log = JSON.parse(line) as typeof log;
  } catch {
    return undefined;
  }
  const smsId = log.notification?.messageId;
  if (typeof smsId !== 'string' || !smsId) return undefined;
  const at = snsTime(log.notification?.timestamp);
  // SNS sends nothing but SMS.
  if (log.status === 'SUCCESS') return { smsId, status: 'delivered', at, channel: 'sms' };
  if (log.status === 'FAILURE') return { smsId, status: 'failed', at, errorCode: snsErrorCode(log.delivery?.providerResponse), channel: 'sms' };
  return undefined;
}

/** SNS writes `2016-06-28 00:40:34.558` (UTC). */
function snsTime(value: unknown): number {
  const ms = typeof value === 'string' ? Date.parse(`${value.replace(' ', 'T')}Z`) : Number.NaN;
  return Number.isFinite(ms) ? ms : Date.now();
}

/** SNS's provider responses are sentences; clients get a stable code. */
const SNS_FAILURES: readonly [RegExp, string][] = [
  [/opted out/i, 'opted_out'],
  [/invalid phone number|not a valid/i, 'invalid_number'],
  [/carrier has blocked|blocked by carrier/i, 'carrier_blocked'],
  [/blocked list|has blocked sms/i, 'blocked'],
  [/unreachable|unavailable/i, 'unreachable'],
  [/exceed max price|spend limit/i, 'spend_limit'],
  [/ttl|expired/i, 'ttl_expired'],
  [/spam/i, 'spam'],
];
export function snsErrorCode(providerResponse: unknown): string {
  const text = typeof providerResponse === 'string' ? providerResponse : '';
  return SNS_FAILURES.find(([pattern]) => pattern.test(text))?.[1] ?? 'provider_error';
}

/**
 * An AWS End User Messaging SMS "Text Message Delivery Status Updated" EventBridge event. Only
 * final statuses count; UNKNOWN is left to the 72-hour rule, which the views apply themselves.
 */
export type EumEvent = { source?: string; 'detail-type'?: string; detail?: { messageId?: unknown; messageStatus?: unknown; eventType?: unknown; isFinal?: unknown; eventTimestamp?: unknown; context?: unknown } };

/** The record reference we sent in the message's Context (adapters/sms/eum.ts), if any. */
export const EUM_CONTEXT_REF = 'sealtextRef';
function refOf(context: unknown): string | undefined {
  const ref = context && typeof context === 'object' ? (context as Record<string, unknown>)[EUM_CONTEXT_REF] : undefined;
  return typeof ref === 'string' ? ref : undefined;
}

export function fromEumEvent(event: EumEvent): ProviderReceipt | undefined {
  const d = event.detail;
  if (event.source !== 'aws.sms-voice' || !d || typeof d.messageId !== 'string') return undefined;
  const status = typeof d.messageStatus === 'string' ? d.messageStatus : '';
  const at = typeof d.eventTimestamp === 'number' ? d.eventTimestamp : Date.now();
  const ref = refOf(d.context);
  const voice = event['detail-type'] === VOICE_DETAIL_TYPE;
  const of = { smsId: d.messageId, ...(ref ? { ref } : {}), at, channel: voice ? 'voice' as const : 'sms' as const };
  if (voice) {
    const call = callState(status, d.eventType);
    return call ? { ...of, ...call } : undefined;
  }
  // RCS (a pool with an RCS agent): its own status events ride the same detail-type. Read is
  // delivered; a fallback says the pool is now sending it as SMS, whose own events will follow.
  if (typeof d.eventType === 'string' && d.eventType.startsWith('RCS_')) return rcsReceipt(of, status, d.eventType);
  // Not final yet: the provider took it. Only a receipt that names its record can say so (no id
  // was recorded after the send on these stages).
  if (d.isFinal !== true) return ref && (status === 'PENDING' || status === 'QUEUED') ? { ...of, status: 'sent' } : undefined;
  // SUCCESSFUL is final where carriers send no handset receipt: accepted by the carrier, like SNS's SUCCESS.
  if (status === 'DELIVERED' || status === 'SUCCESSFUL') return { ...of, status: 'delivered' };
  if (!status || status === 'UNKNOWN' || status === 'PENDING' || status === 'QUEUED') return undefined;
  return { ...of, status: 'failed', errorCode: status.toLowerCase().replace(/[^a-z0-9]+/g, '_').slice(0, 40) };
}

function rcsReceipt(of: Omit<ProviderReceipt, 'status'>, status: string, eventType: string): ProviderReceipt | undefined {
  if (status === 'DELIVERED' || status === 'READ') return { ...of, status: 'delivered' };
  if (eventType.includes('FALLBACK') || status.includes('FALLBACK') || status === 'PENDING' || status === 'QUEUED' || !status) return undefined;
  if (status.includes('EXPIRED') || eventType.includes('TTL')) return { ...of, status: 'failed', errorCode: 'rcs_expired' };
  return { ...of, status: 'failed', errorCode: `rcs_${status.toLowerCase().replace(/[^a-z0-9]+/g, '_').slice(0, 36)}` };
}

/**
 * A voice call's events (same source and detail as SMS, their own detail-type). Call states, as
 * API 1.2 counts them: answered or completed = delivered (someone heard the code); busy, no answer,
 * failed, expired before it rang = failed; initiated and ringing say nothing yet. The state is read
 * from `messageStatus` and, failing that, `eventType` (`VOICE_<STATE>`).
 */
const VOICE_DETAIL_TYPE = 'Voice Message Delivery Status Updated';
const CALL_DELIVERED = new Set(['ANSWERED', 'COMPLETED', 'COMPLETED_CALL', 'DELIVERED', 'SUCCESSFUL']);
const CALL_FAILED = new Set(['BUSY', 'NO_ANSWER', 'FAILED', 'TTL_EXPIRED', 'UNREACHABLE', 'BLOCKED', 'CARRIER_UNREACHABLE', 'OPTED_OUT', 'MAX_PRICE_EXCEEDED']);
function callState(messageStatus: string, eventType: unknown): { status: 'delivered' } | { status: 'failed'; errorCode: string } | undefined {
  const fromType = typeof eventType === 'string' ? eventType.replace(/^VOICE_/, '') : '';
  const state = CALL_DELIVERED.has(messageStatus) || CALL_FAILED.has(messageStatus) ? messageStatus : fromType;
  if (CALL_DELIVERED.has(state)) return { status: 'delivered' };
  if (CALL_FAILED.has(state)) return { status: 'failed', errorCode: state.toLowerCase() };
  return undefined;
}

/**
 * An End User Messaging Social (WhatsApp) status event (`aws.social-messaging`, detail-types
 * `WhatsApp Message Sent|Delivered|Read|Failed|Undeliverable`): `detail.messageId`, `detail.status`,
 * `detail.eventTimestamp` (Unix seconds, a string). Read counts as delivered. A failure's Meta error
 * code, where the event carries one, becomes ours: 131026 (undeliverable: most often the number
 * is not on WhatsApp) is `not_on_whatsapp`, which fails the step at once.
 */
export type SocialEvent = { source?: string; 'detail-type'?: string; detail?: { messageId?: unknown; status?: unknown; eventTimestamp?: unknown; errors?: unknown } };
const WHATSAPP_ERRORS: Readonly<Record<string, string>> = { 131026: 'not_on_whatsapp', 131047: 'reengagement_required', 131049: 'meta_declined', 131050: 'opted_out', 131056: 'rate_limited', 132001: 'template_missing', 132000: 'template_params' };
export function fromSocialEvent(event: SocialEvent): ProviderReceipt | undefined {
  const d = event.detail;
  if (event.source !== 'aws.social-messaging' || !d || typeof d.messageId !== 'string' || !d.messageId) return undefined;
  const seconds = Number(d.eventTimestamp);
  const at = Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : Date.now();
  const of = { smsId: d.messageId, at, channel: 'whatsapp' as const };
  const status = typeof d.status === 'string' ? d.status.toLowerCase() : '';
  if (status === 'sent') return { ...of, status: 'sent' };
  if (status === 'delivered' || status === 'read') return { ...of, status: 'delivered' };
  if (status === 'failed' || status === 'undeliverable' || event['detail-type'] === 'WhatsApp Message Undeliverable') {
    const first: unknown = Array.isArray(d.errors) ? d.errors[0] : undefined;
    const raw = first && typeof first === 'object' ? (first as { code?: unknown }).code : undefined;
    const code = typeof raw === 'number' || typeof raw === 'string' ? String(raw) : '';
    return { ...of, status: 'failed', errorCode: WHATSAPP_ERRORS[code] ?? (status === 'undeliverable' ? 'not_on_whatsapp' : 'provider_error') };
  }
  return undefined;
}

/**
 * An SES event of the stage's configuration set (EventBridge, `aws.ses`): `detail.eventType` and
 * `detail.mail.messageId` (the id `SendEmail` answered, recorded after the send). Delivery is
 * delivered; a bounce (permanent: the address does not exist; transient: full mailbox, too large)
 * and a reject (SES found a virus) are failed. A hard bounce and a complaint (after delivery; it
 * changes no receipt) suppress the address.
 */
export type SesEvent = { source?: string; detail?: { eventType?: unknown; mail?: { messageId?: unknown; timestamp?: unknown }; bounce?: { bounceType?: unknown } } };
export function fromSesEvent(event: SesEvent): ProviderReceipt | undefined {
  const d = event.detail;
  const smsId = d?.mail?.messageId;
  if (event.source !== 'aws.ses' || typeof smsId !== 'string' || !smsId) return undefined;
  const ms = typeof d.mail!.timestamp === 'string' ? Date.parse(d.mail!.timestamp) : Number.NaN;
  const of = { smsId, at: Number.isFinite(ms) ? ms : Date.now(), channel: 'email' as const };
  if (d.eventType === 'Delivery') return { ...of, status: 'delivered' };
  if (d.eventType === 'Bounce') {
    // A permanent bounce: the address does not exist; it gets no more mail from us.
    return d.bounce?.bounceType === 'Permanent' ? { ...of, status: 'failed', errorCode: 'bounced', suppress: { reason: 'bounced' } } : { ...of, status: 'failed', errorCode: 'soft_bounced' };
  }
  if (d.eventType === 'Reject') return { ...of, status: 'failed', errorCode: 'rejected' };
  // A complaint comes after delivery: the receipt stands, the address is suppressed.
  if (d.eventType === 'Complaint') return { ...of, status: 'delivered', suppress: { reason: 'complained', only: true } };
  return undefined;
}
