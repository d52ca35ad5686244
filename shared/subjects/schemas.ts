import * as z from '../zod.ts';
import { described } from '../schema.ts';
import { E164String, EmailString } from '../otp/schemas.ts';
import { oneOfToOrEmail } from '../consent/schemas.ts';

/** POST /v1/subjects/export and /erase: the number (or, API 1.2, the address) in the body, never in a URL. */
export const SubjectRequest = described(z.strictObject({ to: z.optional(E164String), email: z.optional(EmailString) }).check(oneOfToOrEmail), { id: 'SubjectRequest' });

export const SubjectExport = described(
  z.object({
    /** The number asked about (a request by `to`). */
    phone: z.optional(z.string()),
    /** The address asked about (a request by `email`, API 1.2); records it was sent are included. */
    email: z.optional(z.string()),
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
