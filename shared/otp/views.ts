import { deliveryView } from '../delivery/receipt.ts';
import { effectiveStatus } from './state.ts';
import type { Verification } from './verification.ts';

const iso = (ms: number) => new Date(ms).toISOString();

/** Every message sent, oldest first: the earlier ones as they stood when the next went out, then the current one. */
function deliveriesView(v: Verification, nowMs: number) {
  const current = { channel: v.channel ?? 'sms', ...deliveryView(v.receipt, v.lastSentAt, nowMs) };
  return [...(v.deliveries ?? []).map(({ channel, ...r }) => ({ channel, ...deliveryView(r, r.at, nowMs) })), current];
}

export function issuedView(v: Verification, resendIntervalMs: number) {
  return {
    verificationId: v.id,
    status: effectiveStatus(v, v.lastSentAt),
    ...(v.emailOnly ? {} : { to: v.phoneMask }),
    ...(v.emailMask ? { email: v.emailMask } : {}),
    channel: v.channel ?? 'sms',
    purpose: v.purpose,
    expiresAt: iso(v.expiresAt),
    sendsRemaining: v.maxSends - v.sends,
    resendAvailableAt: iso(v.lastSentAt + resendIntervalMs),
    delivery: deliveryView(v.receipt, v.lastSentAt, v.lastSentAt),
    deliveries: deliveriesView(v, v.lastSentAt),
  };
}

export function otpView(v: Verification, nowMs: number) {
  return {
    verificationId: v.id,
    status: effectiveStatus(v, nowMs),
    ...(v.emailOnly ? {} : { to: v.phoneMask }),
    ...(v.emailMask ? { email: v.emailMask } : {}),
    channel: v.channel ?? 'sms',
    purpose: v.purpose,
    attempts: v.attempts,
    sends: v.sends,
    createdAt: iso(v.createdAt),
    expiresAt: iso(v.expiresAt),
    ...(v.approvedAt !== undefined ? { approvedAt: iso(v.approvedAt) } : {}),
    delivery: deliveryView(v.receipt, v.lastSentAt, nowMs),
    deliveries: deliveriesView(v, nowMs),
  };
}
