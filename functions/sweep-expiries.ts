import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { sweepExpiries } from '#shared/events/expiry-sweep';
import { logger, metrics } from '#shared/adapters/observability/powertools';
import { expiryDeps } from '#shared/wiring/events-runtime';

/** Every minute (reserved concurrency 1): closes what expired since the last run, with its event. */
export const handler = middy({ timeoutEarlyInMillis: 0 })
  .use(injectLambdaContext(logger, { clearState: true }))
  .use(logMetrics(metrics))
  .handler(async () => {
    const run = await sweepExpiries(expiryDeps());
    metrics.addMetric('RecordsExpired', 'Count', run.expired);
    return run;
  });
