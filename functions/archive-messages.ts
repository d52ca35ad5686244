import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { archiveStreamBatch } from '#shared/adapters/store/archive-outbox-store';
import { logger, metrics } from '#shared/adapters/observability/powertools';
import { archiverDeps } from '#shared/wiring/archive-runtime';

/**
 * The archiver: the archive outbox's stream (new copies, committed with their sends) -> the retention
 * archive (S3 Object Lock), then the copy leaves the outbox. A failed copy is reported by its
 * sequence number, so the event source mapping retries from it and nothing after it is lost; after
 * its retries the batch is parked in the on-failure queue and the copy stays in the outbox.
 */
export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>({ timeoutEarlyInMillis: 0 })
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  .handler(async (event) => {
    const { archived, failed } = await archiveStreamBatch(archiverDeps(), event.Records);
    metrics.addMetric('MessagesArchived', 'Count', archived);
    if (!failed) return { batchItemFailures: [] };
    logger.warn('Archive write failed', { messageId: failed.messageId, errorName: (failed.error as Error).name });
    metrics.addMetric('ArchiveFailed', 'Count', 1);
    return { batchItemFailures: [{ itemIdentifier: failed.sequenceNumber }] };
  });
