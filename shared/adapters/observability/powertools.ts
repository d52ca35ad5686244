import { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import type { SignalName, Signals } from '../../fraud/signals.ts';

/**
 * Structured JSON logs and EMF metrics. Log lines carry ids, masks, blind indexes and error names,
 * never a phone number, a code, a message body or a token.
 */
export const logger = new Logger({ serviceName: 'sealtext' });
// Every metric carries its stage: a staging load test must not move production's alarms (namespace and
// service are shared by every stage in an account).
export const metrics = new Metrics({ namespace: 'Sealtext', serviceName: 'sealtext', defaultDimensions: { stage: process.env.STAGE ?? 'dev' }, logger });

/**
 * Fraud signals as EMF metrics, each written at once as a single metric with its own dimensions:
 * the alarms depend on them, so none may be lost to a shared buffer (the local stack runs many
 * invocations in one process).
 */
export const powertoolsSignals: Signals = {
  count(name: SignalName, dimensions?: Record<string, string>) {
    const single = metrics.singleMetric();
    for (const [k, v] of Object.entries(dimensions ?? {})) single.addDimension(k, v);
    single.addMetric(name, MetricUnit.Count, 1);
  },
};
