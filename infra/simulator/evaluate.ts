import { evaluateRules, fraudRules, type FraudThresholds, type MetricRef, type RuleDecision } from '#shared/fraud/alarm-rules';
import type { MetricPoint } from '../local/emf-capture.ts';

/** Matches a point to a metric reference as CloudWatch would: same name, every named dimension equal. */
const matches = (p: MetricPoint, m: MetricRef) =>
  p.name === m.name && Object.entries(m.dimensions ?? {}).every(([k, v]) => p.dimensions[k] === v) &&
  // An undimensioned reference means the undimensioned series (as CloudWatch keeps them apart).
  (m.dimensions ? true : Object.keys(p.dimensions).every((k) => k === 'service' || k === 'stage'));

/** The deployed alarm rules, evaluated over the points emitted in one window. */
export function evaluateOver(points: MetricPoint[], thresholds: FraudThresholds): RuleDecision[] {
  const sum = (m: MetricRef) => points.filter((p) => matches(p, m)).reduce((a, p) => a + p.value, 0);
  const perMinute = (m: MetricRef) => {
    const mine = points.filter((p) => matches(p, m));
    if (!mine.length) return [];
    const start = Math.min(...mine.map((p) => p.t));
    const buckets: number[] = [];
    for (const p of mine) {
      const i = Math.floor((p.t - start) / 60_000);
      buckets[i] = (buckets[i] ?? 0) + p.value;
    }
    return Array.from(buckets, (v) => v ?? 0);
  };
  return evaluateRules(fraudRules(thresholds), sum, perMinute);
}
