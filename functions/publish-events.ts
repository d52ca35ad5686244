import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import type { AuditEvent } from '#shared/audit/event';
import { publishEvents } from '#shared/events/publish';
import { logger, metrics } from '#shared/adapters/observability/powertools';
import { publishDeps } from '#shared/wiring/events-runtime';

/**
 * The outbox's reader: the audit table's stream (new images, inserts of events only) -> CloudEvents
 * on the bus, webhook jobs on the queue, the events feed. A failure throws: the event source
 * mapping retries the batch (bisecting it), then parks it in its on-failure queue.
 */
export const handler = middy<DynamoDBStreamEvent, void>({ timeoutEarlyInMillis: 0 })
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  .handler(async (event) => {
    const audit: AuditEvent[] = [];
    for (const record of event.Records) {
      const image = record.dynamodb?.NewImage;
      if (record.eventName !== 'INSERT' || !image) continue;
      const item = unmarshall(image as Record<string, AttributeValue>);
      // Seals and their pages share the table; only events announce anything.
      if (typeof item.pk !== 'string' || !item.pk.startsWith('E#')) continue;
      const { pk: _pk, sk: _sk, ttl: _ttl, ...e } = item;
      audit.push(e as AuditEvent);
    }
    const out = await publishEvents(publishDeps(), audit);
    metrics.addMetric('EventsPublished', 'Count', out.published);
    metrics.addMetric('WebhookJobsQueued', 'Count', out.webhookJobs);
    metrics.addMetric('FallbackTriggersQueued', 'Count', out.fallbackTriggers);
  });
