import { z } from 'zod';

export const ProvenanceRequest = z
  .strictObject({
    to: z.string().min(1).max(32).meta({ example: '+447400123456' }),
    text: z.string().min(1).max(2000).meta({ description: 'The SMS as the customer received (or forwarded) it' }),
  })
  .meta({ id: 'ProvenanceRequest' });
export type ProvenanceRequest = z.infer<typeof ProvenanceRequest>;

export const ProvenanceAnswer = z
  .object({
    sentByUs: z.boolean(),
    kind: z.enum(['otp', 'message']).optional(),
    id: z.string().optional(),
    sentAt: z.iso.datetime().optional(),
    clientId: z.string().optional(),
    templateId: z.string().optional(),
  })
  .meta({ id: 'ProvenanceAnswer' });
