import { z } from 'zod';

/** What AWS End User Messaging SMS publishes to the two-way SNS topic for each inbound text. */
export const InboundSmsNotification = z.object({
  originationNumber: z.string(),
  destinationNumber: z.string().optional(),
  messageBody: z.string().max(1600),
  inboundMessageId: z.string().min(1).max(128),
  messageKeyword: z.string().optional(),
  previousPublishedMessageId: z.string().optional(),
});
export type InboundSmsNotification = z.infer<typeof InboundSmsNotification>;

export const InboundQuery = z.strictObject({
  since: z.iso.datetime().optional(),
  cursor: z.string().regex(/^[\w-]{1,512}$/).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

const Time = z.iso.datetime();
export const InboundList = z
  .object({
    messages: z.array(z.object({ id: z.string(), from: z.string(), body: z.string(), receivedAt: Time, expiresAt: Time })),
    nextCursor: z.string().optional(),
  })
  .meta({ id: 'InboundList' });

/** Local stack only: simulate a text arriving. */
export const SimulatedInbound = z.strictObject({ from: z.string(), body: z.string().max(1600), to: z.string().optional() });
