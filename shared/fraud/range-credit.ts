import type { AuditEvent } from '../audit/event.ts';
import { rangeTagOfVerification } from '../otp/verification.ts';
import type { FraudStore } from './blocks.ts';
import { SIGNAL, type Signals } from './signals.ts';
import { approvalWindow, RANGE_RULES, SCORE, type RangeRules } from './ranges.ts';

/**
 * Range credits, off the request path. An approval pays for its own code in its own transaction,
 * which reads nothing; whether it also earns its range a credit depends on who verified: only a
 * number that was not trusted before (no approved code, no opened message within `trustDays`
 * before this approval), and only once per number and window. Trusted people therefore buy an
 * attack on their range nothing, and a number verifying twice in a window counts once.
 * The reader of the audit stream calls this with every `otp.verify` / `approved` event.
 */
export interface RangeCredits {
  /** The number (blind index) an approved verification was sent to, and when it was approved; undefined once it is gone or not approved. */
  approvalOf(verificationId: string): Promise<{ phoneIndex: string; approvedAt: number; channel?: string } | undefined>;
  /** Takes `amount` off the window's score, once per number and window (false: credited already). */
  credit(window: { tag: string; windowStart: number; windowEndsAt: number }, phoneIndex: string, amount: number): Promise<boolean>;
}

/**
 * `signals`: approvals per channel (the channel in use when the code was approved). The verify path
 * reads nothing, so this reader, which reads the approved record anyway, counts them; with the sends
 * per channel they make conversion per channel. A retried stream batch may count one twice.
 */
export type CreditDeps = { credits: RangeCredits; fraud: Pick<FraudStore, 'isTrusted'>; rules?: RangeRules; signals?: Signals };
export type CreditOutcome = 'credited' | 'trusted' | 'repeat' | 'none';

const isApproval = (e: Pick<AuditEvent, 'action' | 'outcome'>) => e.action === 'otp.verify' && e.outcome === 'approved';

/** One approval event: what its range earns. Safe to repeat (a retried stream batch credits nothing twice). */
export async function creditApproval(deps: CreditDeps, e: Pick<AuditEvent, 'action' | 'outcome' | 'resource'>): Promise<CreditOutcome> {
  const rules = deps.rules ?? RANGE_RULES;
  const tag = e.resource && isApproval(e) ? rangeTagOfVerification(e.resource) : undefined;
  if (!tag) return 'none';
  const approval = await deps.credits.approvalOf(e.resource!);
  if (!approval) return 'none';
  deps.signals?.count(SIGNAL.approvedByChannel, { channel: approval.channel ?? 'sms' });
  const since = approval.approvedAt - rules.trustDays * 86_400_000;
  if (await deps.fraud.isTrusted(approval.phoneIndex, since, approval.approvedAt)) return 'trusted';
  const window = approvalWindow(tag, approval.approvedAt, rules);
  return (await deps.credits.credit(window, approval.phoneIndex, SCORE.credit(rules))) ? 'credited' : 'repeat';
}

/** A stream batch's events, in order; counts per outcome (for metrics). */
export async function creditApprovals(deps: CreditDeps, events: readonly Pick<AuditEvent, 'action' | 'outcome' | 'resource'>[]) {
  const counts: Record<CreditOutcome, number> = { credited: 0, trusted: 0, repeat: 0, none: 0 };
  for (const e of events) counts[await creditApproval(deps, e)]++;
  return counts;
}
