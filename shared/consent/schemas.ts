import { z } from 'zod';
import { E164String } from '../otp/schemas.ts';

export const PutConsentRequest = z
  .strictObject({
    to: E164String,
    /** `promotional` opt-in/out, or `all`: opt out of (or back in to) every SMS, OTPs included. */
    category: z.enum(['promotional', 'all']),
    status: z.enum(['opted_in', 'opted_out']),
    source: z.string().regex(/^[a-z][a-z0-9_]{1,39}$/, { message: 'Lowercase letters, digits and underscores, e.g. web_form' }),
    evidence: z.string().max(500).optional(),
    /** The version of the consent text the person agreed to. */
    textVersion: z.string().regex(/^[\w.-]{1,40}$/).optional(),
  })
  .meta({ id: 'PutConsentRequest' });
export type PutConsentRequest = z.infer<typeof PutConsentRequest>;

const Time = z.iso.datetime();
const HistoryEntry = z.object({
  at: Time,
  actor: z.string(),
  source: z.string(),
  category: z.enum(['promotional', 'all']),
  status: z.enum(['opted_in', 'opted_out']),
  textVersion: z.string().optional(),
  evidence: z.string().optional(),
});

export const ConsentView = z
  .object({
    to: z.string(),
    promotional: z.object({ status: z.enum(['opted_in', 'opted_out', 'none']), updatedAt: Time.optional(), source: z.string().optional() }),
    optedOutAll: z.boolean(),
    history: z.array(HistoryEntry),
  })
  .meta({ id: 'ConsentView' });

export const ConsentQuery = z.strictObject({ to: E164String });
