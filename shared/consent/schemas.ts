import * as z from '../zod.ts';
import { described } from '../schema.ts';
import { E164String, EmailString } from '../otp/schemas.ts';

const Category = z.enum(['promotional', 'all']);

/** Who a request is about: a number (`to`) or, for e-mail, an address (`email`); exactly one. */
function personOf(v: { to?: string | undefined; email?: string | undefined }, ctx: { addIssue: (i: { code: 'custom'; path: string[]; message: string }) => void }, email: boolean) {
  if (email && !v.email) ctx.addIssue({ code: 'custom', path: ['email'], message: 'Required when channel is email' });
  if (email && v.to) ctx.addIssue({ code: 'custom', path: ['to'], message: 'An e-mail consent names the address only: give email, not to' });
  if (!email && v.email) ctx.addIssue({ code: 'custom', path: ['email'], message: 'Allowed only with channel email' });
  if (!email && !v.to) ctx.addIssue({ code: 'custom', path: ['to'], message: 'Required' });
}
export const oneOfToOrEmail = z.superRefine((v: { to?: string | undefined; email?: string | undefined }, ctx) => {
  if (v.to && v.email) ctx.addIssue({ code: 'custom', path: ['email'], message: 'Give to or email, not both' });
  if (!v.to && !v.email) ctx.addIssue({ code: 'custom', path: ['to'], message: 'Give to (a number) or email (an address)' });
});
const OptStatus = z.enum(['opted_in', 'opted_out']);
/** API 1.2: the channel a change is about. WhatsApp's opt-in is its own (Meta's rule); absent means SMS. */
const ConsentChannel = described(z.enum(['sms', 'whatsapp', 'email']), {
  id: 'ConsentChannel',
  description: 'The channel the change is about: sms (default), whatsapp (Meta requires an opt-in before any WhatsApp message) or email (an address\'s own consent, given with `email` instead of `to`)',
});

export const PutConsentRequest = described(
  z.strictObject({
    to: z.optional(E164String),
    /** API 1.2, with `channel` `email`: the address the change is about (instead of `to`). */
    email: z.optional(EmailString),
    /** `promotional` opt-in/out, or `all`: opt out of (or back in to) every SMS, OTPs included. */
    category: Category,
    status: OptStatus,
    /** `whatsapp`: the number's WhatsApp opt-in or opt-out, with `category` `all` (it covers every WhatsApp message). */
    channel: z.optional(ConsentChannel),
    source: z.string().check(z.regex(/^[a-z][a-z0-9_]{1,39}$/, { message: 'Lowercase letters, digits and underscores, e.g. web_form' })),
    evidence: z.optional(z.string().check(z.maxLength(500))),
    /** The version of the consent text the person agreed to. */
    textVersion: z.optional(z.string().check(z.regex(/^[\w.-]{1,40}$/))),
  }).check(z.superRefine((v, ctx) => personOf(v, ctx, v.channel === 'email'))),
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
  channel: z.optional(z.enum(['whatsapp', 'email'])),
  textVersion: z.optional(z.string()),
  evidence: z.optional(z.string()),
});

/** A channel's own consent: WhatsApp's opt-in (a number), or an address's e-mail opt-in (opted_out after an opt-out of every e-mail). */
const ChannelConsent = z.object({ status: z.enum(['opted_in', 'opted_out', 'none']), updatedAt: z.optional(Time), source: z.optional(z.string()) });

export const ConsentView = described(
  z.object({
    /** The number, masked (a lookup by `to`). */
    to: z.optional(z.string()),
    /** The address, masked (a lookup by `email`). */
    email: z.optional(z.string()),
    promotional: z.object({ status: z.enum(['opted_in', 'opted_out', 'none']), updatedAt: z.optional(Time), source: z.optional(z.string()) }),
    optedOutAll: z.boolean(),
    /** API 1.2: consent kept per channel apart from SMS. */
    channels: z.object({ whatsapp: z.optional(ChannelConsent), email: z.optional(ChannelConsent) }),
    history: z.array(HistoryEntry),
  }),
  { id: 'ConsentView' },
);

export const ConsentQuery = z.strictObject({ to: E164String });
/** POST /v1/consents/lookup: the number (or, API 1.2, the address) in the body, never in a URL. */
export const ConsentLookupRequest = described(
  z.strictObject({ to: z.optional(E164String), email: z.optional(EmailString) }).check(oneOfToOrEmail),
  { id: 'ConsentLookupRequest' },
);
/** A number or an address: what consent, export and erasure are asked about. */
export type Person = { to?: string | undefined; email?: string | undefined };
