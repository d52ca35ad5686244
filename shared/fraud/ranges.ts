import { hmac } from '../crypto/hmac.ts';
import type { Phone } from '../phone/phone.ts';

/**
 * Inline range blocking, decided before any SMS, with no CloudWatch delay (the way Twilio Fraud
 * Guard and AWS End User Messaging Protect block ranges, not countries).
 *
 * A destination range is the calling code plus the first digits of the national number (RANGE_DIGITS:
 * national digits by country; the default 5 covers 10^5 numbers of a 10-digit plan, about one
 * operator block). Each OTP send counts in the range's window; each approved code counts back.
 * The window keeps one score, because a DynamoDB condition can compare attributes but not multiply
 * them: every send adds 1, every approval takes its own code's 1 back (in the approval's own
 * transaction), and an approval from a number that was not trusted before takes `weight − 1` more,
 * once per number and window (range-credit.ts, off the request path). So the score is
 * `sent − approved − (weight − 1) × new numbers verified`: new people converting at 1/weight keep it
 * at 0, as before. A send is refused, and the range blocked for `blockMinutes`, when the window
 * already has `minSent` sends and a score above `slack` (approvals, and their credit, lag sends by
 * the seconds people take to type a code; the slack absorbs that). Pumping (no approvals) therefore
 * gets at most max(minSent, slack + 1) codes per range and window.
 *
 * Trusted people's approvals earn no credit: eight regulars verifying in an attacked range only pay
 * for their own codes and buy the attack nothing. A pumper verifying a share of its own codes with
 * new numbers (it terminates the range and can read them) does earn credit, so the window also keeps
 * `open`, the codes nobody has verified (`sent − approved`): a window never holds `maxUnverified`
 * codes nobody verified, whoever verifies what. An attacker verifying 1 in 5 gets at most
 * maxUnverified / (1 − 1/5) = 20 codes into a range per window; one verifying nothing, 11.
 */
export const RANGE_RULES = {
  windowSeconds: 900,
  minSent: 10,
  /** Conversion threshold 1/weight = 20%. */
  weight: 5,
  slack: 10,
  /** Codes sent in a window that nobody verified, at most (sent − approved). */
  maxUnverified: 16,
  blockMinutes: 60,
  /** A number that verified within this many days passes a range block. */
  trustDays: 90,
} as const;
export type RangeRules = typeof RANGE_RULES;

/** National digits that make a range, by country; others use DEFAULT_RANGE_DIGITS. */
const RANGE_DIGITS: Readonly<Record<string, number>> = {
  US: 6, CA: 6, // NPA + NXX: one exchange (10^4 numbers)
  GB: 5, IE: 5, DE: 5, FR: 5, NL: 5,
};
const DEFAULT_RANGE_DIGITS = 5;

/** The range's digits (calling code + leading national digits): never a whole number. */
export function rangeOf(phone: Phone): string {
  const national = phone.e164.slice(1 + phone.callingCode.length);
  const digits = Math.min(RANGE_DIGITS[phone.country] ?? DEFAULT_RANGE_DIGITS, national.length - 3);
  return `${phone.callingCode}${national.slice(0, digits)}`;
}

/** The keyed tag a range is stored and carried under (8 base64url characters). */
export const rangeTag = (blindIndexKey: Buffer, range: string) => hmac(blindIndexKey, 'range', range).slice(0, 8);

/**
 * A send's range window. `trusted`: a number that verified before, sent to past a block or a full
 * rule: its send still counts in the window (so its approval, which counts back, gives no one cover),
 * but nothing there refuses it.
 */
export type RangeCheck = { tag: string; digits: string; windowStart: number; windowEndsAt: number; rules: RangeRules; trusted?: boolean };

/** The range window a send (or, by its tag, an approval) at `nowMs` counts in. */
export function approvalWindow(tag: string, nowMs: number, rules: RangeRules = RANGE_RULES) {
  const windowMs = rules.windowSeconds * 1000;
  const windowStart = Math.floor(nowMs / windowMs) * windowMs;
  return { tag, windowStart, windowEndsAt: windowStart + windowMs, rules };
}

export function rangeCheck(blindIndexKey: Buffer, phone: Phone, nowMs: number, rules: RangeRules = RANGE_RULES): RangeCheck {
  const digits = rangeOf(phone);
  return { ...approvalWindow(rangeTag(blindIndexKey, digits), nowMs, rules), digits };
}

/** A range window's counts: sends, codes nobody verified (`sent − approved`) and the score. */
export type RangeWindowCounts = { sent: number; open: number; score: number };

/** The pure rule, as the store's condition states it (unit-tested against the condition's cases). */
export function admits(window: RangeWindowCounts | undefined, rules: RangeRules = RANGE_RULES): boolean {
  if (!window) return true;
  if (window.open >= rules.maxUnverified) return false;
  if (window.sent < rules.minSent) return true;
  return window.score <= rules.slack;
}

/** What a window's score changes by: a send, an approval (its own code), a new number's approval credit (off the request path). */
export const SCORE = {
  send: 1,
  approval: -1,
  credit: (rules: RangeRules = RANGE_RULES) => -(rules.weight - 1),
} as const;

/** Why a range refuses: blocked already, conversion below the rule, or too many codes nobody verified. */
export type RangeRefusal = 'blocked' | RangeBlockReason;
/** Why the rule blocked a range (the block's `reason`). */
export type RangeBlockReason = 'low_conversion' | 'unverified';

/** Raised inside the send's transaction: the range is blocked, or this send would exceed its rule. */
export class RangeRefused extends Error {
  constructor(readonly why: RangeRefusal, readonly window?: { sent: number; approved: number }) {
    super('Range refused');
    this.name = 'RangeRefused';
  }
}

/** Ops' view of a block (GET /v1/fraud/blocks). */
export type FraudBlock = {
  kind: 'prefix' | 'country';
  key: string;
  reason: string;
  since: number;
  until: number;
  sent?: number;
  approved?: number;
};
