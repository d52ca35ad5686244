import { newId } from '../crypto/ids.ts';
import { RecipientOptedOut } from '../errors.ts';
import { SIGNAL } from '../fraud/signals.ts';
import { hmac } from '../crypto/hmac.ts';
import { checkDestination } from '../phone/destination.ts';
import { maskPhone } from '../phone/phone.ts';
import { bindingHash, codeHash, generateCode } from './code.ts';
import { sendCounters } from '../ratelimit/send-counters.ts';
import { deliveryContext, sendCode, type DeliveryDetails } from './delivery.ts';
import type { OtpDeps } from './deps.ts';
import type { IssueOtpRequest } from './schemas.ts';
import { issuedView } from './views.ts';
import { OTP_RULES, type Verification } from './verification.ts';

/**
 * POST /v1/otp. Order matters: every check that can refuse runs before anything is written;
 * the counters and the verification are one transaction; the SMS goes out only after that commit.
 */
export async function issueOtp(deps: OtpDeps, clientId: string, input: IssueOtpRequest, caller: { sourceIp?: string } = {}) {
  const phone = checkDestination(input.to, deps.allowedCountries);
  const now = deps.now();
  const id = newId();
  const code = generateCode(input.codeLength);
  const binding = input.transaction ? bindingHash(deps.keys.codeHashKey, id, input.transaction) : undefined;
  const details: DeliveryDetails = { to: phone.e164, ...(input.transaction ? { transaction: input.transaction } : {}) };

  const v: Verification = {
    id,
    clientId,
    status: 'pending',
    purpose: input.purpose,
    codeHash: codeHash(deps.keys.codeHashKey, id, code, binding),
    ...(binding ? { bindingHash: binding } : {}),
    codeLength: input.codeLength,
    ttlSeconds: input.ttlSeconds,
    attempts: 0,
    maxAttempts: OTP_RULES.maxAttempts,
    sends: 1,
    maxSends: OTP_RULES.maxSends,
    createdAt: now,
    lastSentAt: now,
    expiresAt: now + input.ttlSeconds * 1000,
    phoneIndex: hmac(deps.keys.blindIndexKey, 'phone', phone.e164),
    phoneMask: maskPhone(phone.e164),
    country: phone.country,
    sealedDelivery: await deps.envelope.seal(JSON.stringify(details), deliveryContext(id)),
    ...(input.brand ? { brand: input.brand } : {}),
    locale: input.locale,
  };

  const audit = (outcome: string) => deps.audit.append({ actor: clientId, action: 'otp.issue', outcome, subjectIndex: v.phoneIndex, subjectMask: v.phoneMask, resource: id });
  await deps.store.create(v, sendCounters(deps, { phone, phoneIndex: v.phoneIndex, clientId, ...caller }, now), now).catch(async (error: unknown) => {
    if (error instanceof RecipientOptedOut) await deps.audit.append({ actor: clientId, action: 'send.refused', outcome: error.code, subjectIndex: v.phoneIndex, subjectMask: v.phoneMask, resource: id });
    throw error;
  });
  await sendCode(deps, v, details, code).catch(async (error: unknown) => {
    await audit((error as { code?: string }).code ?? 'error');
    throw error;
  });
  await audit('sent');
  deps.signals.count(SIGNAL.issued);
  deps.signals.count(SIGNAL.sent);
  deps.signals.count(SIGNAL.issuedByCountry, { country: v.country });
  return issuedView(v, OTP_RULES.resendIntervalMs);
}
