import * as z from '../zod.ts';
import { described, stringOf } from '../schema.ts';
import { oneOfToOrEmail } from '../consent/schemas.ts';

export const ProvenanceRequest = described(
  z.strictObject({
    to: z.optional(described(stringOf(1, 32), { example: '+447400123456' })),
    /** API 1.2: an e-mail's address, instead of `to`. */
    email: z.optional(described(stringOf(1, 320), { example: 'ann@example.com' })),
    text: described(stringOf(1, 8000), { description: 'The SMS as the customer received (or forwarded) it, or an e-mail\'s plain-text part' }),
  }).check(oneOfToOrEmail),
  { id: 'ProvenanceRequest' },
);
export type ProvenanceRequest = z.infer<typeof ProvenanceRequest>;

export const ProvenanceAnswer = described(
  z.object({
    sentByUs: z.boolean(),
    kind: z.optional(z.enum(['otp', 'message'])),
    id: z.optional(z.string()),
    sentAt: z.optional(z.iso.datetime()),
    clientId: z.optional(z.string()),
    templateId: z.optional(z.string()),
  }),
  { id: 'ProvenanceAnswer' },
);
