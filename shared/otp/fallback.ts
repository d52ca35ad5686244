import { AppError } from '../errors.ts';
import type { NewAuditEvent } from '../audit/event.ts';
import { fallbackOutcome, nextStep, stepOutcome, type Trigger } from '../channels/workflow.ts';
import { rangeCheck } from '../fraud/ranges.ts';
import { SIGNAL } from '../fraud/signals.ts';
import { checkDestination } from '../phone/destination.ts';
import { smsRef } from '../delivery/receipt.ts';
import { codeHash, generateCode } from './code.ts';
import { codeChannel, codeProvenance, deliveryContext, phoneOf, sendWrite, outgoingCode, previousDelivery, sendCode, type DeliveryDetails } from './delivery.ts';
import type { OtpDeps } from './deps.ts';
import { effectiveStatus } from './state.ts';
import type { Verification } from './verification.ts';

/**
 * What moves a workflow on (API 1.2 fallback), off the request path: the step's timeout (the
 * publisher schedules it from the step's `otp.step` event), or a failed receipt of the message in
 * use (its `delivery.receipt` event). A failure names no step: the record says whether the step in
 * use is the one that failed (its receipt is `failed`), so a receipt that lost the race to a
 * timeout moves nothing.
 */
export type FallbackTrigger = { id: string; kind: 'timeout'; step: number } | { id: string; kind: 'failed' };
export type FallbackOutcome = 'sent' | 'failed' | 'not_a_workflow' | 'ended' | 'stale' | 'last_step' | 'refused';

/** The step a trigger is about, or undefined when it is about nothing current. */
function triggerStep(v: Verification, t: FallbackTrigger): Trigger | undefined {
  if (t.kind === 'timeout') return { kind: 'timeout', step: t.step };
  return v.receipt?.status === 'failed' && v.step !== undefined ? { kind: 'failed', step: v.step } : undefined;
}

/**
 * Sends the next step once. The move is one conditional write (pending, unexpired, still at the
 * step read, a step after it) with its events and the send's guards, windows and range (a fallback
 * SMS or call is a send like any other), then the message goes out; a send that fails marks the
 * step failed, whose event brings the next trigger. Safe to run twice for one trigger.
 */
export async function advanceWorkflow(deps: OtpDeps, t: FallbackTrigger): Promise<FallbackOutcome> {
  const now = deps.now();
  const v = await deps.store.get(t.id);
  if (!v?.steps || v.step === undefined) return 'not_a_workflow';
  const trigger = triggerStep(v, t);
  if (!trigger) return 'stale';
  const move = nextStep({ status: effectiveStatus(v, now), steps: v.steps, current: v.step, expiresAt: v.expiresAt }, trigger, now);
  if ('none' in move) return move.none;

  const subject = { subjectIndex: v.phoneIndex, subjectMask: v.phoneMask, resource: v.id, owner: v.clientId };
  const from = v.channel ?? v.steps[v.step] ?? 'sms';
  try {
    const channel = codeChannel(deps, move.channel);
    const details = JSON.parse(await deps.envelope.open(v.sealedDelivery, deliveryContext(v.id))) as DeliveryDetails;
    // The allow list may have changed since the first step.
    const phone = checkDestination(phoneOf(details, channel), deps.allowedCountries);
    const code = generateCode(v.codeLength);
    const hash = codeHash(deps.keys.codeHashKey, v.id, code, v.bindingHash);
    const moved: Verification = { ...v, step: move.send, channel, smsRef: smsRef('otp', v.id, v.sends, move.send), lastSentAt: now, deliveries: [...(v.deliveries ?? []), previousDelivery(v)] };
    const out = outgoingCode(deps, moved, details, code, channel);
    const sent = codeProvenance(deps.keys, phone.e164, v.phoneIndex, out, { kind: 'otp', id: v.id, clientId: v.clientId, sentAt: now }, { address: details.email, index: v.emailIndex });
    const events: [NewAuditEvent, ...NewAuditEvent[]] = [
      { actor: 'system', action: 'otp.fallback', outcome: fallbackOutcome(move.reason, from, channel), ...subject },
      ...(move.send + 1 < v.steps.length ? [{ actor: 'system', action: 'otp.step' as const, outcome: stepOutcome(move.send, v.steps.length, v.channelTimeout ?? 60), ...subject }] : []),
    ];
    const who = { phone, phoneIndex: v.phoneIndex, clientId: v.clientId, ...(v.endUser ? { endUser: v.endUser } : {}), details, range: rangeCheck(deps.keys.blindIndexKey, phone, now), nowMs: now };
    const written = await sendWrite(deps, channel, who, (counters, r) => deps.store.advanceStep(
      { id: v.id, fromStep: v.step!, codeHash: hash, nowMs: now, smsRef: moved.smsRef!, channel, previous: previousDelivery(v), phoneIndex: v.phoneIndex, country: phone.country, ...(v.emailIndex ? { emailIndex: v.emailIndex } : {}) },
      counters, events, r, sent,
    ));
    // Another trigger moved it first, or it ended in between.
    if (!written.ok) return 'stale';
    // A send that fails has been recorded by sendCode: the step failed (its event triggers the next) or, the last, the verification.
    const receipt = await sendCode(deps, moved, details, out).catch((error: unknown) => {
      if (error instanceof AppError) return undefined;
      throw error;
    });
    if (receipt?.status !== 'sent') return 'failed';
  } catch (error) {
    // A refusal (the channel gone from the stage, the country off the list, an opt-out, a full
    // window or a blocked range) ends the fallback here; the step in use stays as it was.
    if (!(error instanceof AppError) || error.status >= 500) throw error;
    await deps.audit.record({ actor: 'system', action: 'otp.fallback', outcome: `refused:${error.code}`, ...subject });
    return 'refused';
  }
  deps.signals.count(SIGNAL.sent);
  return 'sent';
}
