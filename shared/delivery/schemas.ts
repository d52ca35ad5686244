import * as z from '../zod.ts';
import { described } from '../schema.ts';

/** `delivery` on verifications, `deliveryStatus` on messages (delivery/receipt.ts). */
export const DeliveryView = described(
  z.object({
    status: z.enum(['queued', 'sent', 'delivered', 'failed', 'unknown']),
    at: z.iso.datetime(),
    errorCode: described(z.optional(z.string()), { description: 'Why the provider could not deliver (failed only), e.g. `unreachable`, `carrier_blocked`, `opted_out`' }),
  }),
  { id: 'DeliveryStatus' },
);
