import { DeliveryView } from '../delivery/schemas.ts';
import { EndUserSignals } from '../ratelimit/end-user.ts';
import * as z from '../zod.ts';
import { EmailString } from '../otp/schemas.ts';
import { described, intIn, oneLineText, stringOf } from '../schema.ts';
import { E164String } from '../otp/schemas.ts';
import { normaliseAnswer } from './recipient-check.ts';

const controlChars = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
const Category = z.enum(['transactional', 'promotional']);
const Delivery = z.enum(['sealed', 'direct']);

export const SendMessageRequest = described(
  z
    .strictObject({
      to: E164String,
      body: z.optional(stringOf(1, 4000).check(z.refine((s) => !controlChars.test(s), { message: 'Must be text (line breaks and tabs allowed)' }))),
      /** Instead of `body`: the latest approved version of this template, filled in with `variables`. */
      templateId: z.optional(z.string().check(z.regex(/^[A-Za-z0-9_-]{16,64}$/))),
      variables: z.optional(
        z.record(z.string().check(z.regex(/^[A-Za-z0-9_]{1,40}$/)), z.string()).check(z.refine((v) => Object.keys(v).length <= 20, { message: 'At most 20 variables' })),
      ),
      /** Sealed only: the page asks this after the code; a wrong answer counts as a failed attempt. */
      recipientCheck: z.optional(
        z.strictObject({
          prompt: oneLineText(1, 100, 'Plain text on one line'),
          answer: stringOf(1, 100).check(z.refine((s) => normaliseAnswer(s).length > 0, { message: 'Must contain letters or digits' })),
        }),
      ),
      /** Default `transactional`; with a template, the template's (a different one is refused). */
      category: z.optional(Category),
      delivery: z._default(Delivery, 'sealed'),
      ttlSeconds: z._default(intIn(300, 2_592_000), 86_400),
      burnAfterRead: z._default(z.boolean(), true),
      brand: z.optional(oneLineText(1, 30, 'Must be plain text on one line')),
      signals: z.optional(EndUserSignals),
      /** API 1.2: the channel of the notice and of the open code (`sms` default); `email` goes to `email`. */
      channel: z.optional(z.enum(['sms', 'whatsapp', 'email'])),
      email: z.optional(EmailString),
    })
    .check(
      z.superRefine((v, ctx) => {
        if ((v.body === undefined) === (v.templateId === undefined)) ctx.addIssue({ code: 'custom', path: ['body'], message: 'Send either body or templateId' });
        if (v.variables && !v.templateId) ctx.addIssue({ code: 'custom', path: ['variables'], message: 'Only with templateId' });
        if (v.channel === 'email' && !v.email) ctx.addIssue({ code: 'custom', path: ['email'], message: 'Required when channel is email' });
        if (v.email && v.channel !== 'email') ctx.addIssue({ code: 'custom', path: ['email'], message: 'Only with channel email' });
        if (v.recipientCheck && v.delivery === 'direct') ctx.addIssue({ code: 'custom', path: ['recipientCheck'], message: 'Only for sealed delivery' });
        if (v.delivery === 'direct' && v.body && v.body.length > 612) {
          ctx.addIssue({ code: 'custom', path: ['body'], message: 'At most 612 characters for direct delivery' });
        }
      }),
    ),
  { id: 'SendMessageRequest' },
);
export type SendMessageRequest = z.infer<typeof SendMessageRequest>;

const Time = z.iso.datetime();
const Status = z.enum(['sent', 'opened', 'expired', 'revoked', 'failed']);

export const MessageSent = described(
  z.object({
    messageId: z.string(), status: z.literal('sent'), to: z.string(), delivery: Delivery, category: Category, expiresAt: Time,
    deliveryStatus: DeliveryView,
    channel: z.enum(['sms', 'whatsapp', 'email']),
    email: z.optional(z.string()),
  }),
  { id: 'MessageSent' },
);

export const MessageView = described(
  z.object({
    messageId: z.string(),
    status: Status,
    to: z.string(),
    delivery: Delivery,
    category: Category,
    createdAt: Time,
    expiresAt: Time,
    openedAt: z.optional(Time),
    revokedAt: z.optional(Time),
    deliveryStatus: DeliveryView,
  }),
  { id: 'MessageView' },
);

export const MessageRevoked = described(z.object({ status: z.literal('revoked') }), { id: 'MessageRevoked' });

export const OpenMessageRequest = described(
  z.strictObject({ code: z.string().check(z.regex(/^\d{6}$/, { message: 'Must be 6 digits' })), answer: z.optional(stringOf(1, 100)) }),
  { id: 'OpenMessageRequest' },
);
export const EmptyRecipientRequest = described(z.strictObject({}), { id: 'EmptyRecipientRequest' });

export const OpenCodeSent = described(
  z.object({
    status: z.literal('code_sent'),
    /** Where the code went, masked: the number, or (API 1.2) the address. */
    to: z.string(),
    /** API 1.2: the channel the code went on (the notice's). */
    channel: z.enum(['sms', 'whatsapp', 'email']),
    codeExpiresAt: Time, resendAvailableAt: Time, sendsRemaining: z.int(),
  }),
  { id: 'OpenCodeSent' },
);

export const OpenedMessage = described(
  z.object({ body: z.string(), sentAt: Time, expiresAt: Time, brand: z.string(), burned: z.boolean() }),
  { id: 'OpenedMessage' },
);

export const ArchiveReadQuery = z.strictObject({
  reason: oneLineText(3, 200, 'Plain text on one line'),
});
export const ArchivedMessageView = described(
  z.object({ messageId: z.string(), body: z.string(), sentAt: Time, to: z.string(), archivedUntil: Time }),
  { id: 'ArchivedMessage' },
);
