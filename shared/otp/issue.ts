import { ChannelUnavailable, ConsentRequired, RecipientOptedOut } from '../errors.ts';
import type { NewAuditEvent } from '../audit/event.ts';
import { DEFAULT_CHANNEL_TIMEOUT_SECONDS, fallbackOutcome, planWorkflow, refusalOf, skippedMoves, stepOutcome, type Plan } from '../channels/workflow.ts';
import { rangeCheck } from '../fraud/ranges.ts';
import { SIGNAL } from '../fraud/signals.ts';
import { hmac } from '../crypto/hmac.ts';
import { checkDestination } from '../phone/destination.ts';
import { maskPhone } from '../phone/phone.ts';
import { emailIndex, maskEmail } from '../email/address.ts';
import { bindingHash, codeHash, generateCode } from './code.ts';
import { endUserKeys } from '../ratelimit/end-user.ts';
import { codeChannel, codeProvenance, deliveryContext, emailOf, sendWrite, usableChannels, outgoingCode, sendCode, type DeliveryDetails } from './delivery.ts';
import { queued, smsRef } from '../delivery/receipt.ts';
import type { OtpDeps } from './deps.ts';
import type { IssueOtpRequest } from './schemas.ts';
import { issuedView } from './views.ts';
import { OTP_RULES, verificationId, type Verification } from './verification.ts';

/**
 * POST /v1/otp. Order matters: every check that can refuse runs before anything is written;
 * the counters and the verification are one transaction; the SMS goes out only after that commit.
 */
export async function issueOtp(deps: OtpDeps, clientId: string, input: IssueOtpRequest) {
  // API 1.2: a verification by e-mail alone has no number; its subject is the address.
  const phone = input.to ? checkDestination(input.to, deps.allowedCountries) : undefined;
  const requested = input.workflow ? input.workflow.map((s) => s.channel) : [input.channel ?? 'sms'];
  const configured = usableChannels(deps, input.transaction !== undefined);
  const email = input.email ? emailOf({ email: input.email }) : undefined;
  const addressIndex = email ? emailIndex(deps.keys.blindIndexKey, email) : undefined;
  const phoneIndex = phone ? hmac(deps.keys.blindIndexKey, 'phone', phone.e164) : addressIndex!;
  // One read, only when WhatsApp could be used: a number with no opt-in skips the step. The send's
  // own transaction checks the opt-in again (an opt-out landing in between still stops it).
  const whatsappOptIn = phone !== undefined && requested.includes('whatsapp') && configured.has('whatsapp') && (await deps.consent.state(phoneIndex))?.whatsapp === 'opted_in';
  const plan = planWorkflow(requested, { configured, whatsappOptIn, hasEmail: email !== undefined, hasPhone: phone !== undefined });
  const refusal = refusalOf(plan);
  if (refusal) throw refusal === 'consent_required' ? new ConsentRequired(plan.skipped[0]!.channel) : new ChannelUnavailable(plan.skipped[0]!.channel);
  const channel = codeChannel(deps, plan.steps[0]!);
  const workflow = plan.steps.length > 1 ? { steps: plan.steps, step: 0, channelTimeout: input.channelTimeout ?? DEFAULT_CHANNEL_TIMEOUT_SECONDS } : {};
  const now = deps.now();
  const range = phone ? rangeCheck(deps.keys.blindIndexKey, phone, now) : undefined;
  // No number, no country and no range: the id is its random part alone (verification.ts).
  const id = phone && range ? verificationId(phone.country, range.tag) : verificationId('', '');
  const code = generateCode(input.codeLength);
  const binding = input.transaction ? bindingHash(deps.keys.codeHashKey, id, input.transaction) : undefined;
  const details: DeliveryDetails = { ...(phone ? { to: phone.e164 } : {}), ...(input.transaction ? { transaction: input.transaction } : {}), ...(email ? { email: email.address } : {}) };

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
    phoneIndex,
    ...(input.signals ? { endUser: endUserKeys(deps.keys.blindIndexKey, input.signals) } : {}),
    phoneMask: phone ? maskPhone(phone.e164) : maskEmail(email!),
    ...(email ? { emailMask: maskEmail(email), emailIndex: addressIndex! } : {}),
    country: phone?.country ?? '',
    ...(phone ? {} : { emailOnly: true as const }),
    sealedDelivery: await deps.envelope.seal(JSON.stringify(details), deliveryContext(id)),
    ...(input.brand ? { brand: input.brand } : {}),
    locale: input.locale,
    receipt: queued(now),
    smsRef: smsRef('otp', id, 1),
    ...(channel !== 'sms' ? { channel } : {}),
    ...workflow,
  };

  const subject = { subjectIndex: v.phoneIndex, subjectMask: v.phoneMask, resource: id };
  const out = outgoingCode(deps, v, details, code, channel);
  const sent = codeProvenance(deps.keys, phone?.e164 ?? '', v.phoneIndex, out, { kind: 'otp', id, clientId, sentAt: now }, { address: details.email, index: v.emailIndex });
  const who = { phone, phoneIndex: v.phoneIndex, clientId, ...(v.endUser ? { endUser: v.endUser } : {}), details, range, nowMs: now };
  await sendWrite(deps, channel, who, (counters, r) =>
    deps.store.create(v, counters, now, { actor: clientId, action: 'otp.issue', outcome: 'pending', ...subject }, r, sent, workflowEvents(clientId, requested, plan, v)),
  ).catch(async (error: unknown) => {
    // Nothing was written; the refusal of an opted-out number is still worth a record.
    if (error instanceof RecipientOptedOut) await deps.audit.record({ actor: clientId, action: 'send.refused', outcome: error.code, ...subject });
    throw error;
  });
  const receipt = await sendCode(deps, v, details, out);
  deps.signals.count(SIGNAL.issued);
  deps.signals.count(SIGNAL.sent);
  if (v.country) deps.signals.count(SIGNAL.issuedByCountry, { country: v.country });
  return issuedView({ ...v, receipt }, OTP_RULES.resendIntervalMs);
}

/** A workflow's events beside the issue's: each skipped step (announced), and the first step's timeout (scheduled by the publisher). */
function workflowEvents(clientId: string, requested: IssueOtpRequest['channel'][], plan: Plan, v: Verification): NewAuditEvent[] {
  const about = { actor: clientId, subjectIndex: v.phoneIndex, subjectMask: v.phoneMask, resource: v.id };
  return [
    ...skippedMoves(requested.filter((c) => c !== undefined), plan).map(({ from, to }) => ({ ...about, action: 'otp.fallback' as const, outcome: fallbackOutcome('skipped', from, to) })),
    ...(v.steps && v.channelTimeout ? [{ ...about, action: 'otp.step' as const, outcome: stepOutcome(0, v.steps.length, v.channelTimeout) }] : []),
  ];
}
