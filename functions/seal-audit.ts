import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { sealOnce } from '#shared/audit/sealer';
import { sealerDeps } from '#shared/wiring/audit-runtime';
import { logger, metrics } from '#shared/adapters/observability/powertools';

/**
 * The sealer, on a one-minute EventBridge schedule with a reserved concurrency of 1: seals the
 * events committed since the last seal (audit/sealer.ts). The only function that may kms:Sign.
 */
export const handler = middy({ timeoutEarlyInMillis: 0 })
  .use(injectLambdaContext(logger, { clearState: true }))
  .use(logMetrics(metrics))
  .handler(async () => {
    const run = await sealOnce(sealerDeps());
    metrics.addMetric('AuditEventsSealed', 'Count', run.sealed);
    if (run.seq) logger.info('Audit seal written', { seq: run.seq, events: run.sealed });
    return run;
  });
