import { DeliveryView } from '../delivery/schemas.ts';
import * as z from '../zod.ts';
import { parseEmail } from '../email/address.ts';
import { described, intIn, oneLineText } from '../schema.ts';
import { EndUserSignals } from '../ratelimit/end-user.ts';

/** The OTP request and response shapes: validated at the edge and published as OpenAPI. */
const plainText = (max: number) => oneLineText(1, max, 'Must be plain text on one line');

export const E164String = described(
  z.string().check(z.regex(/^\+[1-9]\d{7,14}$/, { message: 'Must be an E.164 number: + and 8 to 15 digits' })),
  { description: 'E.164 phone number', example: '+447400123456' },
);

const Transaction = described(
  z.strictObject({
    amount: z.string().check(z.regex(/^(0|[1-9]\d{0,11})(\.\d{1,4})?$/, { message: 'Must be a decimal amount such as 120.50' })),
    currency: z.string().check(z.regex(/^[A-Z]{3}$/, { message: 'Must be an ISO 4217 code such as EUR' })),
    payee: plainText(70),
  }),
  { id: 'Transaction', description: 'The transaction the code is bound to (dynamic linking)' },
);

const Purpose = z.enum(['login', 'transaction', 'password_reset', 'delivery', 'generic']);
const Locale = z.enum(['en', 'de']);
/** API 1.2: where the code goes. `sms` is the default, and all a 1.0 or 1.1 client gets; a channel this deployment has not configured is refused with `channel_unavailable`. */
const ChannelName = described(z.enum(['sms', 'whatsapp', 'voice', 'email']), { id: 'Channel', description: 'The channel a code goes out on' });
/** API 1.2: an ordered fallback, 1 to 4 steps, no channel twice; the next step goes out when one fails or `channelTimeout` passes. */
const Workflow = described(
  z.array(z.strictObject({ channel: ChannelName })).check(
    z.minLength(1, { message: 'Must have 1 to 4 steps' }),
    z.maxLength(4, { message: 'Must have 1 to 4 steps' }),
    z.refine((steps) => new Set(steps.map((s) => s.channel)).size === steps.length, { message: 'Must not name a channel twice' }),
  ),
  { id: 'Workflow', description: 'Channels to try in order' },
);

/** An e-mail address (API 1.2), by syntax only (email/address.ts says which). */
export const EmailString = described(
  z.string().check(z.maxLength(320), z.superRefine((v, ctx) => {
    const parsed = parseEmail(v);
    if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.reason });
  })),
  { description: 'E-mail address (RFC 5321 mailbox, dot-atom local part; internationalised domains allowed)', example: 'ann@example.com' },
);

export const IssueOtpRequest = described(
  z
    .strictObject({
      /** The phone number. API 1.2: may be left out with `channel: "email"` and `email` (a verification by e-mail alone). */
      to: z.optional(E164String),
      purpose: z._default(Purpose, 'login'),
      codeLength: z._default(intIn(6, 10), 6),
      ttlSeconds: z._default(intIn(60, 600), 300),
      locale: z._default(Locale, 'en'),
      brand: z.optional(plainText(30)),
      transaction: z.optional(Transaction),
      signals: z.optional(EndUserSignals),
      channel: z.optional(ChannelName),
      workflow: z.optional(Workflow),
      channelTimeout: z.optional(intIn(15, 300)),
      /** Where `email` steps go (API 1.2); shown masked (`a***@example.com`). */
      email: z.optional(EmailString),
    })
    .check(
      z.superRefine((v, ctx) => {
        if (v.channel && v.workflow) ctx.addIssue({ code: 'custom', path: ['workflow'], message: 'Give channel or workflow, not both' });
        if (!v.to && !(v.channel === 'email' && v.email)) ctx.addIssue({ code: 'custom', path: ['to'], message: 'Required, unless channel is email and email is given' });
        if (v.channelTimeout !== undefined && !v.workflow) ctx.addIssue({ code: 'custom', path: ['channelTimeout'], message: 'Allowed only with workflow' });
        if (v.purpose === 'transaction' && !v.transaction)
          ctx.addIssue({ code: 'custom', path: ['transaction'], message: 'Required when purpose is transaction' });
        if (v.purpose !== 'transaction' && v.transaction)
          ctx.addIssue({ code: 'custom', path: ['transaction'], message: 'Allowed only when purpose is transaction' });
      }),
    ),
  { id: 'IssueOtpRequest' },
);
export type IssueOtpRequest = z.infer<typeof IssueOtpRequest>;

export const VerifyOtpRequest = described(
  z.strictObject({
    code: z.string().check(z.regex(/^\d{6,10}$/, { message: 'Must be 6 to 10 digits' })),
    transaction: z.optional(Transaction),
  }),
  { id: 'VerifyOtpRequest' },
);
export type VerifyOtpRequest = z.infer<typeof VerifyOtpRequest>;

/** Cancel takes no body; an empty object is accepted. */
export const EmptyRequest = described(z.strictObject({}), { id: 'EmptyRequest' });

/** Resend: no body (the same channel), or `{ "channel" }` ("call me instead"); every earlier code stops working. */
export const ResendOtpRequest = described(z.strictObject({ channel: z.optional(ChannelName) }), { id: 'ResendOtpRequest' });
export type ResendOtpRequest = z.infer<typeof ResendOtpRequest>;

const Status = z.enum(['pending', 'approved', 'expired', 'max_attempts_reached', 'canceled', 'failed']);
const Time = z.iso.datetime();
const MaskedPhone = described(z.string(), { example: '+4474******56' });
/** Every step sent, oldest first (API 1.2); the last is `delivery`. */
const Deliveries = described(z.array(z.object({ channel: ChannelName, ...DeliveryView.shape })), { id: 'StepDeliveries' });

export const OtpIssued = described(
  z.object({
    verificationId: z.string(),
    status: Status,
    /** The number, masked; absent for a verification by e-mail alone (API 1.2). */
    to: z.optional(MaskedPhone),
    channel: ChannelName,
    purpose: Purpose,
    expiresAt: Time,
    sendsRemaining: z.int(),
    resendAvailableAt: Time,
    delivery: DeliveryView,
    deliveries: Deliveries,
    email: z.optional(described(z.string(), { example: 'a***@example.com' })),
  }),
  { id: 'OtpIssued' },
);

export const OtpApproved = described(
  z.object({ verificationId: z.string(), status: z.literal('approved'), approvedAt: Time }),
  { id: 'OtpApproved' },
);

export const OtpView = described(
  z.object({
    verificationId: z.string(),
    status: Status,
    to: z.optional(MaskedPhone),
    channel: ChannelName,
    purpose: Purpose,
    attempts: z.int(),
    sends: z.int(),
    createdAt: Time,
    expiresAt: Time,
    approvedAt: z.optional(Time),
    delivery: DeliveryView,
    deliveries: Deliveries,
    email: z.optional(described(z.string(), { example: 'a***@example.com' })),
  }),
  { id: 'OtpView' },
);

export const OtpCanceled = described(z.object({ status: z.literal('canceled') }), { id: 'OtpCanceled' });
