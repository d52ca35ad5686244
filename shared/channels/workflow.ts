import { PHONE_CHANNELS, type Channel } from './channel.ts';

/**
 * Fallback for codes, as pure rules (API 1.2 "Channels and fallback for codes"; DESIGN.md
 * "Channels"). A request names one channel or an ordered workflow; steps that cannot be used are
 * skipped before anything is sent; a sent step moves on when it fails or when `channelTimeout`
 * passes without an approval, once, and never after the verification has ended. The stores make the
 * move a conditional write on the step these rules read, so two triggers racing send one step.
 */

/** Why a step is skipped rather than sent (and, for a one-step request, the 403's `code`). */
export type SkipReason = 'consent_required' | 'channel_unavailable';

/** What the deployment and the person allow, read before the send. */
export type Reach = {
  /** Channels this deployment has configured (a stage may start with SMS only). */
  configured: ReadonlySet<Channel>;
  /** A WhatsApp opt-in is recorded for the number (Meta's rule: none, no WhatsApp). */
  whatsappOptIn: boolean;
  /** The request named an e-mail address / a phone number. */
  hasEmail: boolean;
  hasPhone: boolean;
};

export type Plan = { steps: Channel[]; skipped: { channel: Channel; reason: SkipReason }[] };

/** Whether a step can be used, or why not. */
function skipReason(channel: Channel, reach: Reach): SkipReason | undefined {
  if (!reach.configured.has(channel)) return 'channel_unavailable';
  if (channel === 'email' ? !reach.hasEmail : PHONE_CHANNELS.has(channel) && !reach.hasPhone) return 'channel_unavailable';
  if (channel === 'whatsapp' && !reach.whatsappOptIn) return 'consent_required';
  return undefined;
}

/** The steps that will be sent, in order, and those skipped. A plan with no step refuses the request. */
export function planWorkflow(requested: readonly Channel[], reach: Reach): Plan {
  const plan: Plan = { steps: [], skipped: [] };
  for (const channel of requested) {
    const reason = skipReason(channel, reach);
    if (reason) plan.skipped.push({ channel, reason });
    else plan.steps.push(channel);
  }
  return plan;
}

/** The refusal of a request none of whose steps can be used: the first step's reason (the one the caller asked for first). */
export const refusalOf = (plan: Plan): SkipReason | undefined => (plan.steps.length ? undefined : plan.skipped[0]?.reason);

/** A verification as the fallback reads it. */
export type WorkflowState = {
  status: 'pending' | 'approved' | 'canceled' | 'expired' | 'max_attempts_reached' | 'failed';
  steps: readonly Channel[];
  /** The index of the step in use (the last one sent). */
  current: number;
  expiresAt: number;
};
/** What may move a workflow on: the step's timeout, or its receipt saying it failed. */
export type Trigger = { kind: 'timeout' | 'failed'; step: number };
export type Move = { send: number; channel: Channel; reason: Trigger['kind'] } | { none: 'ended' | 'stale' | 'last_step' };

/**
 * The next step a trigger sends, if any. A trigger about a step that is no longer the current one
 * is stale: the other trigger of that step (timeout or failure) got there first, so it sends
 * nothing. Nothing is sent after approval, cancel, expiry or the last step.
 */
export function nextStep(state: WorkflowState, trigger: Trigger, nowMs: number): Move {
  if (state.status !== 'pending' || nowMs >= state.expiresAt) return { none: 'ended' };
  if (trigger.step !== state.current) return { none: 'stale' };
  const send = state.current + 1;
  const channel = state.steps[send];
  if (!channel) return { none: 'last_step' };
  return { send, channel, reason: trigger.kind };
}

/** `channelTimeout` when a workflow names none (API 1.2). */
export const DEFAULT_CHANNEL_TIMEOUT_SECONDS = 60;

/**
 * Audit outcomes that carry a workflow through the stream (the publisher reads nothing else):
 * `otp.step` `<index>/<steps>:<timeout s>` when a step with a step after it goes out (the publisher
 * schedules its timeout), `otp.fallback` `<reason>:<from>><to>` when the workflow moves on or a
 * step was skipped (announced as `verification.fallback`).
 */
export type FallbackReason = Trigger['kind'] | 'skipped';
export const stepOutcome = (index: number, steps: number, timeoutSeconds: number) => `${index}/${steps}:${timeoutSeconds}`;
export const fallbackOutcome = (reason: FallbackReason, from: Channel, to: Channel) => `${reason}:${from}>${to}`;

export function stepOfOutcome(outcome: string): { index: number; steps: number; timeoutSeconds: number } | undefined {
  const m = /^(\d)\/(\d):(\d{1,3})$/.exec(outcome);
  return m ? { index: Number(m[1]), steps: Number(m[2]), timeoutSeconds: Number(m[3]) } : undefined;
}
export function fallbackOfOutcome(outcome: string): { reason: FallbackReason; from: Channel; to: Channel } | undefined {
  const m = /^(timeout|failed|skipped):(sms|whatsapp|voice|email)>(sms|whatsapp|voice|email)$/.exec(outcome);
  return m ? { reason: m[1] as FallbackReason, from: m[2] as Channel, to: m[3] as Channel } : undefined;
}

/** The skipped steps worth announcing: each one before a step that was sent, as a move from it to that step. */
export function skippedMoves(requested: readonly Channel[], plan: Plan): { from: Channel; to: Channel }[] {
  const moves: { from: Channel; to: Channel }[] = [];
  for (const { channel } of plan.skipped) {
    const after = requested.slice(requested.indexOf(channel) + 1).find((c) => plan.steps.includes(c));
    if (after) moves.push({ from: channel, to: after });
  }
  return moves;
}
