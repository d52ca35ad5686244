import { ChannelUnavailable, RateLimited, VerificationClosed } from '../errors.ts';
import { rangeCheck } from '../fraud/ranges.ts';
import { SIGNAL } from '../fraud/signals.ts';
import { checkDestination } from '../phone/destination.ts';
import { codeHash, generateCode } from './code.ts';
import { codeChannel, codeProvenance, deliveryContext, sendWrite, outgoingCode, previousDelivery, sendCode, type DeliveryDetails } from './delivery.ts';
import type { OtpDeps } from './deps.ts';
import { canResend, closedReason } from './state.ts';
import { ownedOrNotFound } from '../ownership.ts';
import { issuedView, otpView } from './views.ts';
import { OTP_RULES } from './verification.ts';
import { smsRef } from '../delivery/receipt.ts';
import type { ResendOtpRequest } from './schemas.ts';

/** GET /v1/otp/{id}. */
export async function getOtp(deps: Pick<OtpDeps, 'store' | 'now'>, clientId: string, id: string) {
  const v = ownedOrNotFound(await deps.store.get(id), clientId);
  return otpView(v, deps.now());
}

/** DELETE /v1/otp/{id}: only a pending verification can be canceled. */
export async function cancelOtp(deps: Pick<OtpDeps, 'store' | 'now'>, clientId: string, id: string) {
  const now = deps.now();
  // One transaction with its event; like verify, the event names the verification, not the number.
  const out = await deps.store.cancel({ id, clientId, nowMs: now }, { actor: clientId, action: 'otp.cancel', outcome: 'canceled', resource: id });
  if (out.ok) return { status: 'canceled' as const };
  throw new VerificationClosed(closedReason(ownedOrNotFound(out.current, clientId), now) ?? 'canceled');
}

/**
 * POST /v1/otp/{id}/resend: a new code replaces the old one (the old stops working), the expiry
 * restarts, attempts are kept. At most `maxSends` sends, `resendIntervalMs` apart. On the same
 * channel, or the one asked for ("call me instead").
 */
export async function resendOtp(deps: OtpDeps, clientId: string, id: string, input: ResendOtpRequest = {}) {
  const now = deps.now();
  const v = ownedOrNotFound(await deps.store.get(id), clientId);
  const channel = codeChannel(deps, input.channel ?? v.channel ?? 'sms');
  const decision = canResend(v, now, OTP_RULES.resendIntervalMs);
  if (!decision.ok) {
    if (decision.reason === 'too_soon' || decision.reason === 'max_sends') {
      throw new RateLimited(decision.retryAfterMs / 1000, decision.reason === 'too_soon' ? 'resendInterval' : 'maxSends');
    }
    throw new VerificationClosed(decision.reason);
  }

  const details = JSON.parse(await deps.envelope.open(v.sealedDelivery, deliveryContext(id))) as DeliveryDetails;
  // The allow list may have changed since the first send. A verification by e-mail alone has no number: e-mail only.
  const phone = details.to ? checkDestination(details.to, deps.allowedCountries) : undefined;
  if (!phone && channel !== 'email') throw new ChannelUnavailable(channel);

  const code = generateCode(v.codeLength);
  const expiresAt = now + v.ttlSeconds * 1000;
  const hash = codeHash(deps.keys.codeHashKey, id, code, v.bindingHash);
  const range = phone ? rangeCheck(deps.keys.blindIndexKey, phone, now) : undefined;
  const { steps: _steps, step: _step, codeHashes: _hashes, ...rest } = v;
  const resent = { ...rest, codeHash: hash, expiresAt, lastSentAt: now, sends: v.sends + 1, smsRef: smsRef('otp', id, v.sends + 1), channel, deliveries: [...(v.deliveries ?? []), previousDelivery(v)] };
  const message = outgoingCode(deps, resent, details, code, channel);
  const sent = codeProvenance(deps.keys, phone?.e164 ?? '', v.phoneIndex, message, { kind: 'otp', id, clientId, sentAt: now }, { address: details.email, index: v.emailIndex });
  // The end user the code was first sent for is the one it is sent for again.
  const who = { phone, phoneIndex: v.phoneIndex, clientId, ...(v.endUser ? { endUser: v.endUser } : {}), details, range, nowMs: now };
  const out = await sendWrite(deps, channel, who, (counters, r) => deps.store.replaceCode(
    { id, clientId, codeHash: hash, seenSends: v.sends, nowMs: now, expiresAt, phoneIndex: v.phoneIndex, country: phone?.country ?? '', smsRef: resent.smsRef, channel, previous: previousDelivery(v), ...(v.emailIndex ? { emailIndex: v.emailIndex } : {}) },
    counters,
    { actor: clientId, action: 'otp.resend', outcome: 'pending', subjectIndex: v.phoneIndex, subjectMask: v.phoneMask, resource: id },
    r,
    sent,
  ));
  if (!out.ok) {
    // Lost a race with another resend, a verify or a cancel: report the state as it now is.
    const reason = closedReason(ownedOrNotFound(out.current, clientId), now);
    if (reason) throw new VerificationClosed(reason);
    throw new RateLimited(OTP_RULES.resendIntervalMs / 1000, 'resendInterval');
  }
  // The write was conditional on the state read above, so `resent` is the state now.
  const receipt = await sendCode(deps, resent, details, message);
  deps.signals.count(SIGNAL.sent);
  return issuedView({ ...resent, receipt }, OTP_RULES.resendIntervalMs);
}
