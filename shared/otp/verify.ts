import { InvalidCode, NotFound, VerificationClosed } from '../errors.ts';
import { bindingHash, codeHash } from './code.ts';
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
    await audit(approved.item, 'approved');
    return { verificationId: id, status: 'approved' as const, approvedAt: new Date(approved.item.approvedAt!).toISOString() };
  }
  await throwIfUnusable(approved.current, clientId, now, audit);

  const failed = await deps.store.recordFailedAttempt({ id, clientId, nowMs: now });
  if (!failed.ok) {
    await throwIfUnusable(failed.current, clientId, now, audit);
    throw new VerificationClosed('max_attempts_reached');
  }
  const remaining = failed.item.maxAttempts - failed.item.attempts;
  await audit(failed.item, remaining <= 0 ? 'max_attempts_reached' : 'invalid_code');
  if (remaining <= 0) throw new VerificationClosed('max_attempts_reached');
  throw new InvalidCode(remaining);
}

/** Another client's verification is indistinguishable from one that never existed. */
export function ownedOrNotFound(v: Verification | undefined, clientId: string): Verification {
  if (!v || v.clientId !== clientId) throw new NotFound();
  return v;
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
