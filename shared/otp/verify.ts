import { InvalidCode, VerificationClosed } from '../errors.ts';
import { ownedOrNotFound } from '../ownership.ts';
import { bindingHash, codeHash } from './code.ts';
import { SIGNAL } from '../fraud/signals.ts';
import { failureCounters } from '../ratelimit/limits.ts';
import type { OtpDeps } from './deps.ts';
import type { VerifyOtpRequest } from './schemas.ts';
import { closedReason } from './state.ts';
import type { Verification } from './verification.ts';

/**
 * POST /v1/otp/{id}/verify. The right code costs one conditional UpdateItem and no KMS call:
 * DynamoDB compares the hash and flips the status in one step, so of any number of concurrent
 * right answers exactly one wins. A wrong code (or a different transaction) costs one attempt.
 */
export async function verifyOtp(deps: OtpDeps, clientId: string, id: string, input: VerifyOtpRequest) {
  const now = deps.now();
  const binding = input.transaction ? bindingHash(deps.keys.codeHashKey, id, input.transaction) : undefined;
  const hash = codeHash(deps.keys.codeHashKey, id, input.code, binding);

  const approved = await deps.store.approve({ id, clientId, codeHash: hash, nowMs: now });
  const audit = (v: Verification, outcome: string) =>
    deps.audit.append({ actor: clientId, action: 'otp.verify', outcome, subjectIndex: v.phoneIndex, subjectMask: v.phoneMask, resource: id });
  if (approved.ok) {
    deps.signals.count(SIGNAL.approved);
    deps.signals.count(SIGNAL.approvedByCountry, { country: approved.item.country });
    await audit(approved.item, 'approved');
    return { verificationId: id, status: 'approved' as const, approvedAt: new Date(approved.item.approvedAt!).toISOString() };
  }
  await throwIfUnusable(approved.current, clientId, now, audit);

  deps.signals.count(SIGNAL.failedVerify);
  const failed = await deps.store.recordFailedAttempt({ id, clientId, nowMs: now });
  if (!failed.ok) {
    await throwIfUnusable(failed.current, clientId, now, audit);
    throw new VerificationClosed('max_attempts_reached');
  }
  const remaining = failed.item.maxAttempts - failed.item.attempts;
  await audit(failed.item, remaining <= 0 ? 'max_attempts_reached' : 'invalid_code');
  await countFailure(deps, failed.item, now);
  if (remaining <= 0) throw new VerificationClosed('max_attempts_reached');
  throw new InvalidCode(remaining);
}

/**
 * Brute force across verifications: each wrong code also counts in the number's failed-verification
 * windows; a full window refuses new codes to that number until it ends (docs/limits.md).
 */
async function countFailure(deps: OtpDeps, v: Verification, now: number): Promise<void> {
  const windows = failureCounters(deps.limits, v.phoneIndex, now);
  const counts = await deps.store.countFailure(windows);
  if (counts.some((n, i) => n === windows[i]!.limit)) {
    await deps.audit.append({ actor: 'system', action: 'otp.verify', outcome: 'number_locked', subjectIndex: v.phoneIndex, subjectMask: v.phoneMask, resource: v.id });
    deps.signals.count(SIGNAL.locked);
  }
}


async function throwIfUnusable(
  v: Verification | undefined, clientId: string, now: number, audit: (v: Verification, outcome: string) => Promise<void>,
): Promise<void> {
  const owned = ownedOrNotFound(v, clientId);
  const reason = closedReason(owned, now);
  if (reason) {
    await audit(owned, reason);
    throw new VerificationClosed(reason);
  }
}
