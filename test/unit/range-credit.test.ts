import { describe, expect, it } from 'vitest';
import { creditApprovals, type RangeCredits } from '#shared/fraud/range-credit';
import { approvalWindow, RANGE_RULES, SCORE } from '#shared/fraud/ranges';

/** Who earns a range credit, with the store's conditions played by memory: the rule, not DynamoDB. */
const T0 = Date.UTC(2026, 11, 2, 9, 0, 0);
const TAG = 'rAnGeTaG';
const idFor = (n: number) => `${String(n).padStart(24, 'A')}${TAG}`;

function fakes(approvals: Record<string, { phoneIndex: string; approvedAt: number; channel?: string }>) {
  const scores = new Map<string, number>();
  const marks = new Set<string>();
  const credits: RangeCredits = {
    approvalOf: async (id) => approvals[id],
    credit: async (w, phoneIndex, amount) => {
      const mark = `${w.tag}#${w.windowStart}#${phoneIndex}`;
      if (marks.has(mark)) return false;
      marks.add(mark);
      scores.set(`${w.tag}#${w.windowStart}`, (scores.get(`${w.tag}#${w.windowStart}`) ?? 0) + amount);
      return true;
    },
  };
  // Trusted: an approval of the same number strictly before the one asked about, within trustDays.
  const fraud = {
    isTrusted: async (phoneIndex: string, sinceMs: number, beforeMs = Infinity) =>
      Object.values(approvals).some((a) => a.phoneIndex === phoneIndex && a.approvedAt >= sinceMs && a.approvedAt < beforeMs),
  };
  return { deps: { credits, fraud }, scores };
}
const approved = (resource: string) => ({ action: 'otp.verify' as const, outcome: 'approved', resource });

describe('range credits', () => {
  it('credits a number new to the service once, and its later approvals (trusted by then) never', async () => {
    const { deps, scores } = fakes({
      [idFor(1)]: { phoneIndex: 'new', approvedAt: T0 },
      [idFor(2)]: { phoneIndex: 'new', approvedAt: T0 + 60_000 },
      [idFor(3)]: { phoneIndex: 'new', approvedAt: T0 + 86_400_000 },
    });
    const out = await creditApprovals(deps, [approved(idFor(1)), approved(idFor(2)), approved(idFor(3))]);
    expect(out).toEqual({ credited: 1, trusted: 2, repeat: 0, none: 0 });
    expect(scores.get(`${TAG}#${approvalWindow(TAG, T0).windowStart}`)).toBe(SCORE.credit());
    expect(SCORE.credit()).toBe(-(RANGE_RULES.weight - 1));
  });

  it('gives a number that verified within trustDays before no credit, and one that verified longer ago its credit again', async () => {
    const { deps } = fakes({
      [idFor(1)]: { phoneIndex: 'regular', approvedAt: T0 - 10 * 86_400_000 },
      [idFor(2)]: { phoneIndex: 'regular', approvedAt: T0 },
      [idFor(3)]: { phoneIndex: 'lapsed', approvedAt: T0 - (RANGE_RULES.trustDays + 1) * 86_400_000 },
      [idFor(4)]: { phoneIndex: 'lapsed', approvedAt: T0 },
    });
    expect(await creditApprovals(deps, [approved(idFor(2)), approved(idFor(4))])).toEqual({ credited: 1, trusted: 1, repeat: 0, none: 0 });
  });

  it('credits nothing twice when the stream delivers an approval again, or two codes of one number are approved at the same instant', async () => {
    const { deps, scores } = fakes({ [idFor(1)]: { phoneIndex: 'n', approvedAt: T0 }, [idFor(2)]: { phoneIndex: 'n', approvedAt: T0 } });
    const out = await creditApprovals(deps, [approved(idFor(1)), approved(idFor(1)), approved(idFor(2))]);
    expect(out).toEqual({ credited: 1, trusted: 0, repeat: 2, none: 0 });
    expect([...scores.values()]).toEqual([SCORE.credit()]);
  });

  it('ignores other events, ids without a range tag, and verifications gone or never approved', async () => {
    const { deps, scores } = fakes({ [idFor(1)]: { phoneIndex: 'n', approvedAt: T0 } });
    const out = await creditApprovals(deps, [
      { action: 'otp.verify', outcome: 'invalid_code', resource: idFor(1) },
      { action: 'otp.issue', outcome: 'sent', resource: idFor(1) },
      approved('A'.repeat(22)),
      approved(idFor(9)),
    ]);
    expect(out).toEqual({ credited: 0, trusted: 0, repeat: 0, none: 4 });
    expect(scores.size).toBe(0);
  });

  it('counts each approval under the channel in use when it was approved (SMS when the record names none), for conversion per channel', async () => {
    const { deps } = fakes({
      [idFor(1)]: { phoneIndex: 'a', approvedAt: T0, channel: 'whatsapp' },
      [idFor(2)]: { phoneIndex: 'b', approvedAt: T0 },
    });
    const counted: string[] = [];
    await creditApprovals({ ...deps, signals: { count: (name, dims) => counted.push(`${name}:${dims?.channel}`) } }, [approved(idFor(1)), approved(idFor(2)), approved('unknown')]);
    expect(counted).toEqual(['OtpApprovedByChannel:whatsapp', 'OtpApprovedByChannel:sms']);
  });
});
