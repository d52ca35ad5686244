import { describe, expect, it } from 'vitest';
import { DEFAULT_FRAUD_THRESHOLDS, evaluateRules, fraudRules, PUMPING_RULE_ID } from '#shared/fraud/alarm-rules';
import { SIGNAL } from '#shared/fraud/signals';
import { issueOtp } from '#shared/otp/issue';
import { IssueOtpRequest } from '#shared/otp/schemas';
import { verifyOtp } from '#shared/otp/verify';
import { fakeOtpDeps } from '../support/fake-otp-deps.ts';

describe('alarm rules', () => {
  const decide = (sums: Record<string, number>) =>
    evaluateRules(fraudRules(), (m) => sums[m.name] ?? 0, () => []).filter((d) => d.fired).map((d) => d.id);

  it('fires the pumping rule only below the ratio and above the minimum volume', () => {
    expect(decide({ [SIGNAL.sent]: 29, [SIGNAL.approved]: 0 })).toEqual([]);
    expect(decide({ [SIGNAL.sent]: 30, [SIGNAL.approved]: 8 })).toEqual([PUMPING_RULE_ID]);
    expect(decide({ [SIGNAL.sent]: 30, [SIGNAL.approved]: 9 })).toEqual([]);
  });

  it('fires threshold rules at their threshold', () => {
    expect(decide({ [SIGNAL.failedVerify]: DEFAULT_FRAUD_THRESHOLDS.failedVerifySpike })).toEqual(['BruteForceFailedVerifies']);
    expect(decide({ [SIGNAL.locked]: 2 })).toEqual([]);
  });
});

describe('failed verifications across verifications', () => {
  it('locks new codes to a number after 10 wrong codes in the hour, and emits the signals', async () => {
    const { deps, signals, clock } = fakeOtpDeps();
    const to = '+447400123456';
    for (let round = 0; round < 2; round++) {
      const { verificationId } = await issueOtp(deps, 'app', IssueOtpRequest.parse({ to }));
      for (let i = 0; i < 5; i++) await verifyOtp(deps, 'app', verificationId, { code: '000000' }).catch(() => undefined);
      clock.now += 1000;
    }
    await expect(issueOtp(deps, 'app', IssueOtpRequest.parse({ to }))).rejects.toMatchObject({ status: 429, extra: { limit: 'failedVerifyShort' } });
    expect(signals.get(SIGNAL.failedVerify)).toBeGreaterThanOrEqual(10);
    expect(signals.get(SIGNAL.locked)).toBe(1);
    expect(signals.get(SIGNAL.issuedByCountry, { country: 'GB' })).toBe(2);
  });
});
