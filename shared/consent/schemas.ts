import * as z from '../zod.ts';
import { described } from '../schema.ts';
import { E164String } from '../otp/schemas.ts';

const Category = z.enum(['promotional', 'all']);
const OptStatus = z.enum(['opted_in', 'opted_out']);
/** API 1.2: the channel a change is about. WhatsApp's opt-in is its own (Meta's rule); absent means SMS. */
const ConsentChannel = described(z.enum(['sms', 'whatsapp']), { id: 'ConsentChannel', description: 'The channel the change is about: sms (default) or whatsapp (Meta requires an opt-in before any WhatsApp message)' });

export const PutConsentRequest = described(
  z.strictObject({
    to: E164String,
    /** `promotional` opt-in/out, or `all`: opt out of (or back in to) every SMS, OTPs included. */
    category: Category,
    status: OptStatus,
    /** `whatsapp`: the number's WhatsApp opt-in or opt-out, with `category` `all` (it covers every WhatsApp message). */
    channel: z.optional(ConsentChannel),
    source: z.string().check(z.regex(/^[a-z][a-z0-9_]{1,39}$/, { message: 'Lowercase letters, digits and underscores, e.g. web_form' })),
    evidence: z.optional(z.string().check(z.maxLength(500))),
    /** The version of the consent text the person agreed to. */
    textVersion: z.optional(z.string().check(z.regex(/^[\w.-]{1,40}$/))),
  }),
  { id: 'PutConsentRequest' },
);
export type PutConsentRequest = z.infer<typeof PutConsentRequest>;

const Time = z.iso.datetime();
const HistoryEntry = z.object({
  at: Time,
  actor: z.string(),
  source: z.string(),
  category: Category,
  status: OptStatus,
  channel: z.optional(z.literal('whatsapp')),
  textVersion: z.optional(z.string()),
  evidence: z.optional(z.string()),
});

export const ConsentView = described(
  z.object({
    to: z.string(),
    promotional: z.object({ status: z.enum(['opted_in', 'opted_out', 'none']), updatedAt: z.optional(Time), source: z.optional(z.string()) }),
    optedOutAll: z.boolean(),
    /** API 1.2: consent kept per channel apart from SMS. */
    channels: z.object({ whatsapp: z.object({ status: z.enum(['opted_in', 'opted_out', 'none']), updatedAt: z.optional(Time), source: z.optional(z.string()) }) }),
    history: z.array(HistoryEntry),
  }),
  { id: 'ConsentView' },
);

export const ConsentQuery = z.strictObject({ to: E164String });
/** POST /v1/consents/lookup: the number in the body, never in a URL. */
export const ConsentLookupRequest = described(ConsentQuery, { id: 'ConsentLookupRequest' });
