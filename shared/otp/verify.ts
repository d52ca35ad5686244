import type { NewAuditEvent } from '../audit/event.ts';
import { InvalidCode, VerificationClosed } from '../errors.ts';
import { ownedOrNotFound } from '../ownership.ts';
import { bindingHash, codeHash } from './code.ts';
import { SIGNAL } from '../fraud/signals.ts';
import { failureCounters } from '../ratelimit/limits.ts';
import type { VerifyDeps } from './deps.ts';
import type { VerifyOtpRequest } from './schemas.ts';
import { closedReason } from './state.ts';
import { approvalWindow, RANGE_RULES } from '../fraud/ranges.ts';
import { countryOfVerification, rangeTagOfVerification, type Verification } from './verification.ts';

/**
 * POST /v1/otp/{id}/verify. The right code is one transaction and no KMS call: DynamoDB compares
 * the hash and flips the status (so of any number of concurrent right answers exactly one wins)
 * and the audit event commits with it. Its event names the verification, not the number: the path
 * reads nothing, and the verification's issue event carries the subject. A wrong code costs a
 * second transaction: one attempt, the number's failed-verification windows and the event.
 */
export async function verifyOtp(deps: VerifyDeps, clientId: string, id: string, input: VerifyOtpRequest) {
  const now = deps.now();
  const binding = input.transaction ? bindingHash(deps.keys.codeHashKey, id, input.transaction) : undefined;
  const hash = codeHash(deps.keys.codeHashKey, id, input.code, binding);
  const event = (outcome: string, v?: Verification): NewAuditEvent => ({
    actor: clientId, action: 'otp.verify', outcome, resource: id, ...(v ? { subjectIndex: v.phoneIndex, subjectMask: v.phoneMask } : {}),
  });

  // The approval counts back into the range the code was sent to (its tag rides in the id).
  const tag = rangeTagOfVerification(id);
  const keepUntil = now + RANGE_RULES.trustDays * 86_400_000;
  const approved = await deps.store.approve({ id, clientId, codeHash: hash, nowMs: now, keepUntil }, event('approved'), tag ? approvalWindow(tag, now) : undefined);
  if (approved.ok) {
    deps.signals.count(SIGNAL.approved);
    const country = countryOfVerification(id);
    if (country) deps.signals.count(SIGNAL.approvedByCountry, { country });
    return { verificationId: id, status: 'approved' as const, approvedAt: new Date(now).toISOString() };
  }

  // A wrong code. Attempts are counted against the state the failed write returned; if another
  // wrong code got there first, count again against the newer state.
  for (let current = approved.current; ;) {
    const v = ownedOrNotFound(current, clientId);
    const reason = closedReason(v, now);
    if (reason) {
      // A refused attempt on a closed verification; `closed:` keeps it apart from the write that closed it.
      await deps.audit.record(event(`closed:${reason}`, v));
      throw new VerificationClosed(reason);
    }
    const remaining = v.maxAttempts - (v.attempts + 1);
    const failures = failureCounters(deps.limits, v.phoneIndex, now).map((c) => ({ ...c, countOnly: true, reachAt: c.limit }));
    const failed = await deps.store.recordFailure({ id, clientId, seenAttempts: v.attempts, nowMs: now }, failures, (locked) =>
      event(locked ? 'number_locked' : remaining <= 0 ? 'max_attempts_reached' : 'invalid_code', v),
    );
    if (!failed.ok) {
      current = failed.current;
      continue;
    }
    deps.signals.count(SIGNAL.failedVerify);
    // Brute force across verifications: a full window refuses new codes to the number (docs/limits.md).
    if (failed.locked) deps.signals.count(SIGNAL.locked);
    if (remaining <= 0) throw new VerificationClosed('max_attempts_reached');
    throw new InvalidCode(remaining);
  }
}
