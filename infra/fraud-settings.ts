import { DEFAULT_FRAUD_THRESHOLDS, type FraudThresholds } from '#shared/fraud/alarm-rules';

/** The fraud thresholds the local stack evaluates; the CDK stack takes the same from context (fraudThresholds). */
export function fraudSettings(env: NodeJS.ProcessEnv = process.env): FraudThresholds {
  return env.FRAUD_THRESHOLDS ? { ...DEFAULT_FRAUD_THRESHOLDS, ...(JSON.parse(env.FRAUD_THRESHOLDS) as Partial<FraudThresholds>) } : DEFAULT_FRAUD_THRESHOLDS;
}
