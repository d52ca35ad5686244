import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { logger, metrics } from '#shared/adapters/observability/powertools';
import { deliverDeps } from '#shared/wiring/events-runtime';
import { deliverBatch, queuedDelivery } from '#shared/webhooks/deliver';

/**
 * Webhook deliveries from the queue, one signed POST per job. A failed attempt hides its message
 * for the backoff and is reported as a batch item failure; the receive count is the attempt
 * number, and after the last attempt the redrive policy moves the job to the dead-letter queue.
 */
export const handler = middy<SQSEvent, SQSBatchResponse>({ timeoutEarlyInMillis: 0 })
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  .handler((event) =>
    deliverBatch(deliverDeps(), event.Records.map(queuedDelivery), ({ job, attempt }, result) => {
      // The client and event ids only: the URL is the client's, the event holds no number.
      logger.info('Webhook attempt', { clientId: job.clientId, eventId: job.event.id, type: job.event.type, attempt, ...result });
      metrics.addMetric(`Webhook_${result.outcome}`, 'Count', 1);
    }));
