import { gunzipSync } from 'node:zlib';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { CloudWatchLogsEvent, CloudWatchLogsDecodedData } from 'aws-lambda';
import { applyReceipts, type ProviderReceipt } from '#shared/delivery/receipt';
import { fromEumEvent, fromSesEvent, fromSnsDeliveryLog, fromSocialEvent, type EumEvent, type SesEvent, type SocialEvent } from '#shared/delivery/provider-receipts';
import { logger, metrics } from '#shared/adapters/observability/powertools';
import { receiptDeps } from '#shared/wiring/events-runtime';

/**
 * Delivery receipts, whichever provider sent the message: SNS's delivery status logs through a
 * CloudWatch Logs subscription filter, End User Messaging's SMS and voice status events, or End
 * User Messaging Social's WhatsApp statuses, or SES's events of the stage's configuration set,
 * each through an EventBridge rule. The logs carry full numbers; nothing of them is
 * logged here, only counts.
 */
export const handler = middy<CloudWatchLogsEvent | EumEvent | SocialEvent | SesEvent, Record<string, number>>({ timeoutEarlyInMillis: 0 })
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  .handler(async (event) => {
    const receipts: ProviderReceipt[] = [];
    if ('awslogs' in event) {
      const data = JSON.parse(gunzipSync(Buffer.from(event.awslogs.data, 'base64')).toString()) as CloudWatchLogsDecodedData;
      for (const line of data.logEvents) {
        const r = fromSnsDeliveryLog(line.message);
        if (r) receipts.push(r);
      }
    } else {
      // Each reader takes only its own source's events.
      const r = fromSocialEvent(event as SocialEvent) ?? fromSesEvent(event as SesEvent) ?? fromEumEvent(event);
      if (r) receipts.push(r);
    }
    const tally = await applyReceipts(receiptDeps(), receipts);
    for (const [outcome, n] of Object.entries(tally)) if (n) metrics.addMetric(`Receipt_${outcome}`, 'Count', n);
    // A young receipt that found no record may have overtaken the write of its SMS's id: fail, so
    // the invocation is retried (the receipts already applied are not applied twice).
    if (tally.early) throw new ReceiptsEarly(tally.early);
    return tally;
  });

class ReceiptsEarly extends Error {
  constructor(n: number) {
    super(`${n} receipt(s) arrived before their SMS was recorded; retrying`);
    this.name = 'ReceiptsEarly';
  }
}
