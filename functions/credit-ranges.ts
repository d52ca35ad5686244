import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import type { AuditEvent } from '#shared/audit/event';
import { creditApprovals } from '#shared/fraud/range-credit';
import { logger, metrics } from '#shared/adapters/observability/powertools';
import { creditDeps } from '#shared/wiring/events-runtime';

/**
 * The audit stream's second reader: approved codes (its mapping passes only `otp.verify` /
 * `approved` events) -> range credits for numbers not trusted before, once per number and window
 * (fraud/range-credit.ts). A failure throws: the mapping retries the batch (bisecting it), and a
 * repeated approval credits nothing twice; after its retries the batch is parked in its queue.
 */
export const handler = middy<DynamoDBStreamEvent, void>({ timeoutEarlyInMillis: 0 })
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  .handler(async (event) => {
    const approvals: Pick<AuditEvent, 'action' | 'outcome' | 'resource'>[] = [];
    for (const record of event.Records) {
      const image = record.dynamodb?.NewImage;
      if (record.eventName !== 'INSERT' || !image) continue;
      const { action, outcome, resource } = unmarshall(image as Record<string, AttributeValue>) as Partial<AuditEvent>;
      if (action && outcome) approvals.push({ action, outcome, resource });
    }
    const counts = await creditApprovals(creditDeps(), approvals);
    metrics.addMetric('RangeCredits', 'Count', counts.credited);
    metrics.addMetric('RangeApprovalsTrusted', 'Count', counts.trusted);
  });
