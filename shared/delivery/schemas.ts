import { z } from 'zod';

/** `delivery` on verifications, `deliveryStatus` on messages (delivery/receipt.ts). */
export const DeliveryView = z
  .object({
    status: z.enum(['queued', 'sent', 'delivered', 'failed', 'unknown']),
    at: z.iso.datetime(),
    errorCode: z.string().optional().meta({ description: 'Why the provider could not deliver (failed only), e.g. `unreachable`, `carrier_blocked`, `opted_out`' }),
  })
  .meta({ id: 'DeliveryStatus' });
