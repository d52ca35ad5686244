import { GetMetricDataCommand, CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FRAUD_THRESHOLDS, evaluateRules, fraudRules, PUMPING_RULE_ID } from '#shared/fraud/alarm-rules';
import { countriesToPause } from '#shared/fraud/brake';
import { countryTraffic } from '#shared/fraud/cloudwatch-traffic';
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

describe('brake', () => {
  it('pauses only countries with enough volume and a conversion below the threshold', () => {
    const rule = { minSent: 30, maxConversion: 0.3 };
    expect(countriesToPause([
      { country: 'GB', issued: 70, approved: 2 },
      { country: 'FR', issued: 10, approved: 10 },
      { country: 'DE', issued: 4, approved: 0 },
      { country: 'US', issued: 12, approved: 3 },
    ], rule)).toEqual(['GB', 'US']);
  });

  it('reads per-country issued and approved from CloudWatch with exact queries', async () => {
    const cw = mockClient(CloudWatchClient);
    cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'i0', Values: [40, 30] }, { Id: 'a0', Values: [2] }, { Id: 'i1', Values: [5] }, { Id: 'a1', Values: [5] }] });
    const traffic = await countryTraffic(new CloudWatchClient({ region: 'eu-west-1' }), ['GB', 'FR'], 15, Date.parse('2026-11-22T10:15:00Z'));
    expect(traffic).toEqual([{ country: 'GB', issued: 70, approved: 2 }, { country: 'FR', issued: 5, approved: 5 }]);
    const input = cw.commandCalls(GetMetricDataCommand)[0]!.args[0].input;
    expect(input.StartTime).toEqual(new Date('2026-11-22T10:00:00Z'));
    expect(input.MetricDataQueries![0]).toEqual({
      Id: 'i0',
      MetricStat: {
        Metric: { Namespace: 'Sealtext', MetricName: 'OtpIssuedByCountry', Dimensions: [{ Name: 'service', Value: 'sealtext' }, { Name: 'country', Value: 'GB' }] },
        Period: 900,
        Stat: 'Sum',
      },
    });
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
