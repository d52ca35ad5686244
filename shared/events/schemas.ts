import * as z from '../zod.ts';
import { described, textIntIn } from '../schema.ts';
import { EVENT_TYPES, isKnownPattern } from './cloud-event.ts';

export const ListEventsQuery = z.strictObject({
  after: z.optional(z.string().check(z.regex(/^[\w-]{1,200}$/))),
  /** Comma-separated, like a webhook's types: `verification.*,delivery.failed`. */
  types: z.optional(
    z.pipe(
      z.pipe(z.string().check(z.maxLength(400)), z.transform((s: string) => s.split(',').map((t) => t.trim()).filter(Boolean))),
      z.array(z.string().check(z.refine(isKnownPattern, { message: 'Unknown event type or pattern' }))).check(z.minLength(1), z.maxLength(20)),
    ),
  ),
  limit: z._default(textIntIn(1, 100), 50),
});

const CloudEventView = described(
  z.object({
    specversion: z.literal('1.0'),
    id: z.string(),
    type: z.enum(EVENT_TYPES),
    source: z.literal('sealtext'),
    subject: z.optional(z.string()),
    time: z.iso.datetime(),
    datacontenttype: z.literal('application/json'),
    data: described(z.record(z.string(), z.string()), { description: 'The resource id (`verificationId`, `messageId` or `inboundId`) and the masked number (`to`, or `from` for inbound); never a full number, code or body' }),
  }),
  { id: 'CloudEvent' },
);

export const EventPage = described(
  z.object({ events: z.array(CloudEventView), nextCursor: described(z.string(), { description: 'Pass as `after` to continue, now or later (polling)' }) }),
  { id: 'EventPage' },
);
