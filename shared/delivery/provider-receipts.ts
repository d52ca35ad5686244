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
  if (log.status === 'SUCCESS') return { smsId, status: 'delivered', at };
  if (log.status === 'FAILURE') return { smsId, status: 'failed', at, errorCode: snsErrorCode(log.delivery?.providerResponse) };
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
export type EumEvent = { source?: string; 'detail-type'?: string; detail?: { messageId?: unknown; messageStatus?: unknown; isFinal?: unknown; eventTimestamp?: unknown; context?: unknown } };

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
  const of = { smsId: d.messageId, ...(ref ? { ref } : {}), at };
  // Not final yet: the provider took it. Only a receipt that names its record can say so (no id
  // was recorded after the send on these stages).
  if (d.isFinal !== true) return ref && (status === 'PENDING' || status === 'QUEUED') ? { ...of, status: 'sent' } : undefined;
  // SUCCESSFUL is final where carriers send no handset receipt: accepted by the carrier, like SNS's SUCCESS.
  if (status === 'DELIVERED' || status === 'SUCCESSFUL') return { ...of, status: 'delivered' };
  if (!status || status === 'UNKNOWN' || status === 'PENDING' || status === 'QUEUED') return undefined;
  return { ...of, status: 'failed', errorCode: status.toLowerCase().replace(/[^a-z0-9]+/g, '_').slice(0, 40) };
}
