import { z } from 'zod';

export const SubjectExport = z
  .object({
    phone: z.string(),
    verifications: z.array(z.unknown()),
    messages: z.array(z.unknown()),
    inboundMessages: z.array(z.unknown()),
    consent: z.unknown().optional(),
    consentHistory: z.array(z.unknown()),
  })
  .meta({ id: 'SubjectExport' });

export const SubjectErasure = z
  .object({
    erased: z.object({ verifications: z.number().int(), messages: z.number().int(), inboundMessages: z.number().int(), consentRecords: z.number().int() }),
    suppressionKept: z.boolean(),
    /** Archived messages kept under legal retention (GDPR Art. 17(3)(b)): not erased until then. */
    retained: z.array(z.object({ messageId: z.string(), until: z.iso.datetime() })),
  })
  .meta({ id: 'SubjectErasure' });
