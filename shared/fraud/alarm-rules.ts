import { SIGNAL, type SignalName } from './signals.ts';

/**
 * The fraud alarms, defined once: the CDK stack deploys them as CloudWatch alarms
 * (infra/constructs/alarms.ts) and the traffic simulator evaluates the same rules over the metrics
 * the local stack emitted (infra/simulator). Each description says what it means and what to do.
 */
export type MetricRef = { name: SignalName; dimensions?: Record<string, string> };
type Base = { id: string; periodSeconds: number; description: string };
export type FraudRule =
  | (Base & { kind: 'threshold'; metric: MetricRef; threshold: number })
  | (Base & { kind: 'ratio'; numerator: MetricRef; denominator: MetricRef; minDenominator: number; below: number })
  | (Base & { kind: 'anomaly'; metric: MetricRef; bandWidth: number });

export type FraudThresholds = {
  pumpingMinSent: number;
  pumpingMaxConversion: number;
  failedVerifySpike: number;
  lockedSpike: number;
  rateLimitedSpike: number;
  refusedSpike: number;
  exportSpike: number;
  auditReadSpike: number;
  authRefusedSpike: number;
};

export const DEFAULT_FRAUD_THRESHOLDS: FraudThresholds = {
  pumpingMinSent: 30,
  pumpingMaxConversion: 0.3,
  failedVerifySpike: 25,
  lockedSpike: 3,
  rateLimitedSpike: 100,
  refusedSpike: 20,
  exportSpike: 10,
  auditReadSpike: 100,
  authRefusedSpike: 20,
};

export const PUMPING_RULE_ID = 'SmsPumpingConversion';

export function fraudRules(t: FraudThresholds = DEFAULT_FRAUD_THRESHOLDS): FraudRule[] {
  return [
    {
      id: 'IssueVolumeAnomaly',
      kind: 'anomaly',
      metric: { name: SIGNAL.issued },
      bandWidth: 3,
      periodSeconds: 300,
      description: 'OTP issue volume left its learned band (3 standard deviations). A campaign or an attack: compare OtpIssuedByCountry with the usual mix, and check the conversion alarm.',
    },
    {
      id: PUMPING_RULE_ID,
      kind: 'ratio',
      numerator: { name: SIGNAL.approved },
      denominator: { name: SIGNAL.sent },
      minDenominator: t.pumpingMinSent,
      below: t.pumpingMaxConversion,
      periodSeconds: 600,
      description: `SMS pumping signature: fewer than ${Math.round(t.pumpingMaxConversion * 100)}% of codes sent (at least ${t.pumpingMinSent} in 10 min) were verified. Ranges block themselves inline (GET /v1/fraud/blocks shows which); nothing pauses a country by itself. Find the client behind it, and pause a country by hand only if ranges keep moving (docs/fraud.md).`,
    },
    {
      id: 'BruteForceFailedVerifies',
      kind: 'threshold',
      metric: { name: SIGNAL.failedVerify },
      threshold: t.failedVerifySpike,
      periodSeconds: 300,
      description: `At least ${t.failedVerifySpike} wrong codes in 5 min: someone is guessing codes. Numbers lock themselves (NumberLocked); look for one client or IP behind the attempts in the access logs.`,
    },
    {
      id: 'NumbersLocked',
      kind: 'threshold',
      metric: { name: SIGNAL.locked },
      threshold: t.lockedSpike,
      periodSeconds: 300,
      description: `At least ${t.lockedSpike} numbers hit their failed-verification limit in 5 min: a brute-force run across numbers. New codes to those numbers wait for the window to end; check the calling client.`,
    },
    {
      id: 'RateLimitedSpike',
      kind: 'threshold',
      metric: { name: SIGNAL.rateLimited },
      threshold: t.rateLimitedSpike,
      periodSeconds: 300,
      description: `At least ${t.rateLimitedSpike} requests refused by rate limits in 5 min. RateLimited by limit (phone, prefix, country, client, ip) says which; a prefix or country limit points at pumping, client/ip at a runaway caller.`,
    },
    {
      id: 'RefusedDestinationSpike',
      kind: 'threshold',
      metric: { name: SIGNAL.refused },
      threshold: t.refusedSpike,
      periodSeconds: 300,
      description: `At least ${t.refusedSpike} sends to countries off the allow list, blocked ranges, paused countries or premium-rate numbers in 5 min: someone is probing for expensive destinations. Check the calling client; do not widen allowedCountries in a hurry.`,
    },
    {
      id: 'SubjectExportSpike',
      kind: 'threshold',
      metric: { name: SIGNAL.subjectExported },
      threshold: t.exportSpike,
      periodSeconds: 3600,
      description: `At least ${t.exportSpike} data-subject exports in an hour: exports decrypt everything held about a number. Unless a batch of access requests is under way, treat it as data theft through a client's credentials: find the client in the audit trail (subject.export) and rotate its secret.`,
    },
    {
      id: 'AuditReadSpike',
      kind: 'threshold',
      metric: { name: SIGNAL.auditRead },
      threshold: t.auditReadSpike,
      periodSeconds: 300,
      description: `At least ${t.auditReadSpike} audit listings in 5 min: someone is walking the audit trail (masked numbers, who did what). Check which client holds p2a/audit.read and whether it should.`,
    },
    {
      id: 'AuthRefusedSpike',
      kind: 'threshold',
      metric: { name: SIGNAL.authRefused },
      threshold: t.authRefusedSpike,
      periodSeconds: 300,
      description: `At least ${t.authRefusedSpike} requests refused for a missing, forged or expired token or a missing scope in 5 min: a probe with stolen or guessed credentials, or a client misconfigured after a secret rotation. The access logs name the source.`,
    },
  ];
}

export type RuleDecision = { id: string; fired: boolean; observed: string };

/**
 * Evaluates the rules over counts summed across one window (the simulator's run). The anomaly band
 * can't be learned from one short run: it is approximated as "more than 3x the mean of the earlier
 * minutes, with at least 3 earlier minutes".
 */
export function evaluateRules(
  rules: FraudRule[],
  sum: (m: MetricRef) => number,
  perMinute: (m: MetricRef) => number[],
): RuleDecision[] {
  return rules.map((rule) => {
    switch (rule.kind) {
      case 'threshold': {
        const v = sum(rule.metric);
        return { id: rule.id, fired: v >= rule.threshold, observed: `${v} (threshold ${rule.threshold})` };
      }
      case 'ratio': {
        const n = sum(rule.numerator);
        const d = sum(rule.denominator);
        const ratio = d === 0 ? 1 : n / d;
        return { id: rule.id, fired: d >= rule.minDenominator && ratio < rule.below, observed: `${n}/${d} = ${ratio.toFixed(2)} (alarm below ${rule.below} with >= ${rule.minDenominator})` };
      }
      case 'anomaly': {
        const series = perMinute(rule.metric);
        const last = series.at(-1) ?? 0;
        const earlier = series.slice(0, -1);
        const mean = earlier.length ? earlier.reduce((a, b) => a + b, 0) / earlier.length : 0;
        return { id: rule.id, fired: earlier.length >= 3 && last > 3 * Math.max(mean, 1), observed: `last minute ${last}, earlier mean ${mean.toFixed(1)}` };
      }
    }
  });
}
