import type { ClosedReason } from '../errors.ts';
import type { Status, Verification } from './verification.ts';

/**
 * The status a client sees. `expired` and `max_attempts_reached` are derived from the clock and the
 * counters rather than stored, so no background job is needed and TTL lateness cannot matter.
 */
export function effectiveStatus(v: Verification, nowMs: number): Status {
  if (v.status !== 'pending') return v.status;
  if (nowMs >= v.expiresAt) return 'expired';
  if (v.attempts >= v.maxAttempts) return 'max_attempts_reached';
  return 'pending';
}

/** The 410 reason for a verification that can no longer be used; undefined while pending. */
export function closedReason(v: Verification, nowMs: number): ClosedReason | undefined {
  const status = effectiveStatus(v, nowMs);
  switch (status) {
    case 'pending':
      return undefined;
    case 'approved':
      return 'already_approved';
    default:
      return status;
  }
}

export type ResendDecision =
  | { ok: true }
  | { ok: false; reason: ClosedReason }
  | { ok: false; reason: 'too_soon' | 'max_sends'; retryAfterMs: number };

export function canResend(v: Verification, nowMs: number, intervalMs: number): ResendDecision {
  const closed = closedReason(v, nowMs);
  if (closed) return { ok: false, reason: closed };
  if (v.sends >= v.maxSends) return { ok: false, reason: 'max_sends', retryAfterMs: v.expiresAt - nowMs };
  const nextAt = v.lastSentAt + intervalMs;
  if (nowMs < nextAt) return { ok: false, reason: 'too_soon', retryAfterMs: nextAt - nowMs };
  return { ok: true };
}
