import * as z from '../zod.ts';
import { described } from '../schema.ts';
import { isKnownPattern } from '../events/cloud-event.ts';

export const PutWebhookRequest = described(
  z.strictObject({
    url: described(z.string().check(z.minLength(8), z.maxLength(2048)), { example: 'https://hooks.example.com/sealtext' }),
    types: z
      .array(z.string().check(z.maxLength(64), z.refine(isKnownPattern, { message: 'Unknown event type or pattern (e.g. "verification.*", "delivery.failed", "*")' })))
      .check(z.minLength(1), z.maxLength(20)),
  }),
  { id: 'PutWebhookRequest' },
);
export type PutWebhookRequest = z.infer<typeof PutWebhookRequest>;

const WebhookFields = {
  url: z.string(),
  types: z.array(z.string()),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
};
export const WebhookView = described(z.object(WebhookFields), { id: 'Webhook' });
export const WebhookWithSecret = described(
  z.object({ ...WebhookFields, secret: described(z.optional(z.string()), { description: 'Only when the webhook is created or its secret rotated: `whsec_` + base64 of 32 random bytes' }) }),
  { id: 'WebhookWithSecret' },
);
export const WebhookDeleted = described(z.object({ status: z.literal('deleted') }), { id: 'WebhookDeleted' });
