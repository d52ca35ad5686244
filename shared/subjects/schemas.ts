import * as z from '../zod.ts';
import { described } from '../schema.ts';
import { E164String } from '../otp/schemas.ts';

/** POST /v1/subjects/export and /erase: the number in the body, never in a URL. */
export const SubjectRequest = described(z.strictObject({ to: E164String }), { id: 'SubjectRequest' });

export const SubjectExport = described(
  z.object({
    phone: z.string(),
    verifications: z.array(z.unknown()),
    messages: z.array(z.unknown()),
    inboundMessages: z.array(z.unknown()),
    consent: z.optional(z.unknown()),
    consentHistory: z.array(z.unknown()),
  }),
  { id: 'SubjectExport' },
);

export const SubjectErasure = described(
  z.object({
    erased: z.object({ verifications: z.int(), messages: z.int(), inboundMessages: z.int(), consentRecords: z.int() }),
    suppressionKept: z.boolean(),
    /** Archived messages kept under legal retention (GDPR Art. 17(3)(b)): not erased until then. */
    retained: z.array(z.object({ messageId: z.string(), until: z.iso.datetime() })),
  }),
  { id: 'SubjectErasure' },
);
