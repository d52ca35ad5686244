import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { advanceWorkflow, type FallbackTrigger } from '#shared/otp/fallback';
import { logger, metrics } from '#shared/adapters/observability/powertools';
import { otpDeps } from '#shared/wiring/runtime';

/**
 * Workflow fallback (API 1.2): each message is a step's timeout or a failed receipt, scheduled by
 * the publisher from committed audit events. The move is conditional, so a trigger delivered
 * twice, or two triggers of one step, send the next step once. A trigger that throws is retried
 * by SQS, then parked in the dead-letter queue (alarm).
 */
export const handler = middy<SQSEvent, SQSBatchResponse>({ timeoutEarlyInMillis: 0 })
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  .handler(async (event) => {
    const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
    if (event.Records.length === 0) return { batchItemFailures };
    const deps = await otpDeps();
    for (const record of event.Records) {
      try {
        const trigger = JSON.parse(record.body) as FallbackTrigger;
        const outcome = await advanceWorkflow(deps, trigger);
        // The verification id and the outcome only.
        logger.info('Fallback trigger', { verificationId: trigger.id, kind: trigger.kind, outcome });
        metrics.addMetric(`Fallback_${outcome}`, 'Count', 1);
      } catch (error) {
        logger.warn('Fallback trigger failed; retried', { messageId: record.messageId, error: (error as Error).name });
        batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures };
  });
