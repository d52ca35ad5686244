import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { SNSEvent } from 'aws-lambda';
import { z } from 'zod';
import { config } from '#shared/config';
import { countryTraffic } from '#shared/fraud/cloudwatch-traffic';
import { tripBrake } from '#shared/fraud/trip-brake';
import { logger } from '#shared/observability';
import { auditItems, dynamoClients } from '#shared/runtime';
import { DynamoBrakeStore } from '#shared/store/brake-store';

/**
 * The automatic brake: subscribed to the ops topic, it acts on the SMS-pumping alarm only. It reads
 * issued and approved per allowed country for the alarm's window, pauses the countries below the
 * conversion threshold, and tells ops what it did and how to lift it.
 */
const Env = z.object({
  PUMPING_ALARM_NAME: z.string().min(1),
  OPS_TOPIC_ARN: z.string().startsWith('arn:'),
  BRAKE_MIN_SENT: z.coerce.number().int().positive(),
  BRAKE_MAX_CONVERSION: z.coerce.number().positive().max(1),
});
const Alarm = z.object({ AlarmName: z.string(), NewStateValue: z.string() });
const cw = new CloudWatchClient({});
const sns = new SNSClient({});

export const handler = middy<SNSEvent, void>({ timeoutEarlyInMillis: 0 })
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    const env = Env.parse(process.env);
    for (const record of event.Records) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(record.Sns.Message);
      } catch {
        continue; // not an alarm (e.g. our own notice on the same topic)
      }
      const alarm = Alarm.safeParse(parsed);
      if (!alarm.success || alarm.data.AlarmName !== env.PUMPING_ALARM_NAME || alarm.data.NewStateValue !== 'ALARM') continue;

      const cfg = config();
      const traffic = await countryTraffic(cw, cfg.ALLOWED_COUNTRIES, 15, Date.now());
      const paused = await tripBrake(
        { brakes: new DynamoBrakeStore(dynamoClients().doc, cfg.DATA_TABLE_NAME, auditItems()), now: Date.now },
        traffic,
        { minSent: env.BRAKE_MIN_SENT, maxConversion: env.BRAKE_MAX_CONVERSION },
      );
      logger.warn('SMS brake evaluated', { paused, traffic });
      await sns.send(
        new PublishCommand({
          TopicArn: env.OPS_TOPIC_ARN,
          Subject: `Sealtext ${cfg.STAGE}: SMS brake ${paused.length ? `paused ${paused.join(', ')}` : 'found no country to pause'}`,
          Message: [
            `The SMS-pumping alarm fired. Traffic of the last 15 minutes by country: ${traffic.map((t) => `${t.country} ${t.approved}/${t.issued}`).join(', ') || 'none'}.`,
            paused.length ? `SMS to ${paused.join(', ')} is paused for 24 hours (403 destination_not_allowed, reason paused).` : 'No country met the pause rule; check the calling clients.',
            `Lift a pause with: npm run brake -- lift <COUNTRY> --data-table ${cfg.DATA_TABLE_NAME} --audit-table ${cfg.AUDIT_TABLE_NAME ?? "<AuditTable>"}`,
          ].join('\n'),
        }),
      );
    }
  });
