import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { moveToArchive, type ArchivedMessage } from '#shared/messages/archive';
import { logger, metrics } from '#shared/adapters/observability/powertools';
import { archiverDeps } from '#shared/wiring/archive-runtime';

/**
 * The archiver: the archive outbox's stream (new copies, committed with their sends) -> the retention
 * archive (S3 Object Lock), then the copy leaves the outbox. Each record on its own: a failed one is
 * reported by its sequence number, so the event source mapping retries from it and nothing after it is
 * lost; after its retries the batch is parked in the on-failure queue and the copy stays in the outbox.
 */
export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>({ timeoutEarlyInMillis: 0 })
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  .handler(async (event) => {
    const deps = archiverDeps();
    let archived = 0;
    for (const record of event.Records) {
      const image = record.dynamodb?.NewImage;
      // Removals (the archiver's own deletes, or TTL at the end of retention) need nothing.
      if (record.eventName !== 'INSERT' || !image) continue;
      const { ttl: _ttl, ...copy } = unmarshall(image as Record<string, AttributeValue>);
      try {
        await moveToArchive(deps, copy as ArchivedMessage);
        archived++;
      } catch (error) {
        logger.warn('Archive write failed', { messageId: copy.messageId as string, errorName: (error as Error).name });
        metrics.addMetric('ArchiveFailed', 'Count', 1);
        metrics.addMetric('MessagesArchived', 'Count', archived);
        // In order: this record and every later one are retried.
        return { batchItemFailures: [{ itemIdentifier: record.dynamodb!.SequenceNumber! }] };
      }
    }
    metrics.addMetric('MessagesArchived', 'Count', archived);
    return { batchItemFailures: [] };
  });
