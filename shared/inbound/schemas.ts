import * as z from '../zod.ts';
import { described, stringOf, textIntIn } from '../schema.ts';

/** What AWS End User Messaging SMS publishes to the two-way SNS topic for each inbound text. */
export const InboundSmsNotification = z.object({
  originationNumber: z.string(),
  destinationNumber: z.optional(z.string()),
  messageBody: z.string().check(z.maxLength(1600)),
  inboundMessageId: stringOf(1, 128),
  messageKeyword: z.optional(z.string()),
  previousPublishedMessageId: z.optional(z.string()),
});
export type InboundSmsNotification = z.infer<typeof InboundSmsNotification>;

export const InboundQuery = z.strictObject({
  since: z.optional(z.iso.datetime()),
  cursor: z.optional(z.string().check(z.regex(/^[\w-]{1,512}$/))),
  limit: z._default(textIntIn(1, 100), 50),
});

const Time = z.iso.datetime();
export const InboundList = described(
  z.object({
    messages: z.array(z.object({ id: z.string(), from: z.string(), channel: z.enum(['sms', 'whatsapp']), body: z.string(), receivedAt: Time, expiresAt: Time })),
    nextCursor: z.optional(z.string()),
  }),
  { id: 'InboundList' },
);

/** Local stack only: simulate a text arriving. */
export const SimulatedInbound = z.strictObject({ from: z.string(), body: z.string().check(z.maxLength(1600)), to: z.optional(z.string()), channel: z.optional(z.enum(['sms', 'whatsapp'])) });
