import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { WebhookJob } from '#shared/events/publish';
import { logger, metrics } from '#shared/observability';
import { deliverDeps } from '#shared/events-runtime';
import { deliverWebhook } from '#shared/webhooks/deliver';

/**
 * Webhook deliveries from the queue, one signed POST per job. A failed attempt hides its message
 * for the backoff and is reported as a batch item failure; the receive count is the attempt
 * number, and after the last attempt the redrive policy moves the job to the dead-letter queue.
 */
export const handler = middy<SQSEvent, SQSBatchResponse>({ timeoutEarlyInMillis: 0 })
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  .handler(async (event) => {
    const deps = deliverDeps();
    const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
    for (const record of event.Records) {
      const job = JSON.parse(record.body) as WebhookJob;
      const attempt = Number(record.attributes.ApproximateReceiveCount ?? '1');
      const result = await deliverWebhook(deps, job, attempt);
      // The client and event ids only: the URL is the client's, the event holds no number.
      logger.info('Webhook attempt', { clientId: job.clientId, eventId: job.event.id, type: job.event.type, attempt, ...result });
      metrics.addMetric(`Webhook_${result.outcome}`, 'Count', 1);
      if (result.outcome === 'retry') await deps.retry.retryLater(record.receiptHandle, result.afterSeconds);
      if (result.outcome === 'retry' || result.outcome === 'exhausted') batchItemFailures.push({ itemIdentifier: record.messageId });
    }
    return { batchItemFailures };
  });
