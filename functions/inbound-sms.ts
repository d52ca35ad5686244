import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { SNSEvent } from 'aws-lambda';
import { receiveInbound } from '#shared/inbound/receive';
import { InboundSmsNotification } from '#shared/inbound/schemas';
import { inboundWhatsAppOf } from '#shared/inbound/whatsapp-notification';
import { logger, metrics } from '#shared/adapters/observability/powertools';
import { inboundDeps } from '#shared/wiring/runtime';

/**
 * Two-way SMS: AWS End User Messaging publishes each inbound text to an SNS topic; this function
 * handles STOP/START/HELP and keeps any other text for the business. WhatsApp messages arrive the
 * same way (the WhatsApp Business Account's event destination): STOP/START there change the
 * number's WhatsApp consent, and text messages are kept like texts. A malformed notification is
 * logged (without its content) and skipped; a failure of ours throws so SNS retries.
 */
export const handler = middy<SNSEvent, void>({ timeoutEarlyInMillis: 0 })
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  .handler(async (event) => {
    const deps = await inboundDeps();
    for (const record of event.Records) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(record.Sns.Message);
      } catch {
        parsed = undefined;
      }
      // The WhatsApp Business Account's event destination publishes here too (End User Messaging Social).
      const whatsapp = inboundWhatsAppOf(parsed);
      if (whatsapp) {
        for (const m of whatsapp) {
          const { kind } = await receiveInbound(deps, { originationNumber: m.from, messageBody: m.body, inboundMessageId: m.id }, 'whatsapp');
          metrics.addMetric(`InboundWhatsApp_${kind}`, 'Count', 1);
        }
        continue;
      }
      const sms = InboundSmsNotification.safeParse(parsed);
      if (!sms.success) {
        logger.warn('Skipped an inbound notification that is not a two-way SMS', { snsMessageId: record.Sns.MessageId });
        metrics.addMetric('InboundMalformed', 'Count', 1);
        continue;
      }
      const { kind } = await receiveInbound(deps, sms.data);
      metrics.addMetric(`Inbound_${kind}`, 'Count', 1);
    }
  });
