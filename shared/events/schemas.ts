import { z } from 'zod';
import { EVENT_TYPES, isKnownPattern } from './cloud-event.ts';

export const ListEventsQuery = z.strictObject({
  after: z.string().regex(/^[\w-]{1,200}$/).optional(),
  /** Comma-separated, like a webhook's types: `verification.*,delivery.failed`. */
  types: z
    .string()
    .max(400)
    .transform((s) => s.split(',').map((t) => t.trim()).filter(Boolean))
    .pipe(z.array(z.string().refine(isKnownPattern, { message: 'Unknown event type or pattern' })).min(1).max(20))
    .optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export const CloudEventView = z
  .object({
    specversion: z.literal('1.0'),
    id: z.string(),
    type: z.enum(EVENT_TYPES),
    source: z.literal('sealtext'),
    subject: z.string().optional(),
    time: z.iso.datetime(),
    datacontenttype: z.literal('application/json'),
    data: z.record(z.string(), z.string()).meta({ description: 'The resource id (`verificationId`, `messageId` or `inboundId`) and the masked number (`to`, or `from` for inbound); never a full number, code or body' }),
  })
  .meta({ id: 'CloudEvent' });

export const EventPage = z
  .object({ events: z.array(CloudEventView), nextCursor: z.string().meta({ description: 'Pass as `after` to continue, now or later (polling)' }) })
  .meta({ id: 'EventPage' });
