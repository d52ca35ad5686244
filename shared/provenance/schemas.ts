import * as z from '../zod.ts';
import { described, stringOf } from '../schema.ts';

export const ProvenanceRequest = described(
  z.strictObject({
    to: described(stringOf(1, 32), { example: '+447400123456' }),
    text: described(stringOf(1, 2000), { description: 'The SMS as the customer received (or forwarded) it' }),
  }),
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
