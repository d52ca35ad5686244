import type { NewAuditEvent } from '../audit/event.ts';
import type { RangeCheck } from '../fraud/ranges.ts';
import type { SentText } from '../provenance/provenance.ts';
import type { LimitCounter } from '../ratelimit/limits.ts';

export type RangeApproval = { tag: string; windowStart: number; windowEndsAt: number; rules: RangeCheck['rules'] };
import type { StepDelivery, Verification } from './verification.ts';
import type { Receipt } from '../delivery/receipt.ts';
import type { Channel } from '../channels/channel.ts';

/**
 * The port the OTP domain owns; DynamoDB implements it (adapters/store/verification-store.ts), fakes in unit
 * tests. Every write that records an action takes its audit event and commits it in the same
 * transaction. A failed condition is an answer: `current` is the item as it was (read in the same
 * round trip), so the domain can say why without reading again.
 */
export type Written = { ok: true } | { ok: false; current: Verification | undefined };

/** A workflow's move to its next step: from which step, the new code's hash and message, the step it replaces as it stands. */
export type StepMove = { id: string; fromStep: number; codeHash: string; nowMs: number; smsRef: string; channel: Channel; previous: StepDelivery; phoneIndex: string; country: string; emailIndex?: string };

export interface VerificationStore {
  /**
   * Rate-limit counters, the new verification, its event (and a workflow's: skipped steps, the
   * step's timeout) and its SMS's provenance hash in one transaction. Throws RateLimited.
   */
  create(v: Verification, counters: LimitCounter[], nowMs: number, event: NewAuditEvent, range?: RangeCheck, sent?: SentText, moreEvents?: NewAuditEvent[]): Promise<void>;
  get(id: string): Promise<Verification | undefined>;
  /**
   * Single use: approves only a pending, unexpired, unexhausted verification with this hash; the
   * approval counts back into its range's window, and the approved record is kept (without its code
   * hash or sealed number) for the trust window.
   */
  approve(q: { id: string; clientId: string; codeHash: string; nowMs: number; keepUntil: number }, event: NewAuditEvent, approval?: RangeApproval): Promise<Written>;
  /**
   * A wrong code: +1 attempt on a usable verification still at `seenAttempts`, +1 in the number's
   * failed-verification windows. `locked` when this failure filled one of those windows; the event
   * is asked for once that is known.
   */
  recordFailure(
    q: { id: string; clientId: string; seenAttempts: number; nowMs: number },
    failures: LimitCounter[],
    event: (locked: boolean) => NewAuditEvent,
  ): Promise<Written & { locked?: boolean }>;
  /**
   * A workflow moves on (API 1.2 fallback): only a pending, unexpired verification still at step
   * `fromStep`, with a step after it, gets the next step's code hash beside the others, with its
   * events, and passes the send's consent, brake, windows and range like any send. Two triggers
   * racing (the step's timeout and its failed receipt) move it once.
   */
  advanceStep(
    q: StepMove,
    counters: LimitCounter[],
    events: [NewAuditEvent, ...NewAuditEvent[]],
    range?: RangeCheck,
    sent?: SentText,
  ): Promise<Written>;
  /** Resend: a new code hash and expiry, one more send, guarded by the sends count seen; every earlier code (a workflow's too) stops working. */
  replaceCode(
    q: { id: string; clientId: string; codeHash: string; seenSends: number; nowMs: number; expiresAt: number; phoneIndex: string; country: string; smsRef: string; channel: Channel; previous: StepDelivery },
    counters: LimitCounter[],
    event: NewAuditEvent,
    range?: RangeCheck,
    sent?: SentText,
  ): Promise<Written>;
  cancel(q: { id: string; clientId: string; nowMs: number }, event: NewAuditEvent): Promise<Written>;
  /** A workflow step could not be sent: its receipt says failed, with its event, if it is still the step in use (`ref`). */
  failStep(id: string, ref: string, receipt: Receipt, event: NewAuditEvent): Promise<void>;
  /** The SMS could not be sent: the verification ends as failed. */
  markFailed(id: string, event: NewAuditEvent): Promise<void>;
  /** The provider accepted the SMS: delivery `sent`, and its message id for the receipt to find. */
  markSent(id: string, smsId: string, atMs: number): Promise<void>;
}
