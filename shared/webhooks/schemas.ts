import { z } from 'zod';
import { isKnownPattern } from '../events/cloud-event.ts';

export const PutWebhookRequest = z
  .strictObject({
    url: z.string().min(8).max(2048).meta({ example: 'https://hooks.example.com/sealtext' }),
    types: z
      .array(z.string().max(64).refine(isKnownPattern, { message: 'Unknown event type or pattern (e.g. "verification.*", "delivery.failed", "*")' }))
      .min(1)
      .max(20),
  })
  .meta({ id: 'PutWebhookRequest' });
export type PutWebhookRequest = z.infer<typeof PutWebhookRequest>;

const WebhookFields = {
  url: z.string(),
  types: z.array(z.string()),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
};
export const WebhookView = z.object(WebhookFields).meta({ id: 'Webhook' });
export const WebhookWithSecret = z
  .object({ ...WebhookFields, secret: z.string().optional().meta({ description: 'Only when the webhook is created or its secret rotated: `whsec_` + base64 of 32 random bytes' }) })
  .meta({ id: 'WebhookWithSecret' });
export const WebhookDeleted = z.object({ status: z.literal('deleted') }).meta({ id: 'WebhookDeleted' });
