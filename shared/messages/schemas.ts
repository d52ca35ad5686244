import { DeliveryView } from '../delivery/schemas.ts';
import { EndUserSignals } from '../ratelimit/end-user.ts';
import { z } from 'zod';
import { E164String } from '../otp/schemas.ts';
import { normaliseAnswer } from './recipient-check.ts';

const controlChars = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

export const SendMessageRequest = z
  .strictObject({
    to: E164String,
    body: z.string().min(1).max(4000).refine((s) => !controlChars.test(s), { message: 'Must be text (line breaks and tabs allowed)' }).optional(),
    /** Instead of `body`: the latest approved version of this template, filled in with `variables`. */
    templateId: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/).optional(),
    variables: z.record(z.string().regex(/^[A-Za-z0-9_]{1,40}$/), z.string()).refine((v) => Object.keys(v).length <= 20, { message: 'At most 20 variables' }).optional(),
    /** Sealed only: the page asks this after the code; a wrong answer counts as a failed attempt. */
    recipientCheck: z
      .strictObject({
        prompt: z.string().trim().min(1).max(100).refine((s) => !/[\u0000-\u001f\u007f]/.test(s), { message: 'Plain text on one line' }),
        answer: z.string().min(1).max(100).refine((s) => normaliseAnswer(s).length > 0, { message: 'Must contain letters or digits' }),
      })
      .optional(),
    /** Default `transactional`; with a template, the template's (a different one is refused). */
    category: z.enum(['transactional', 'promotional']).optional(),
    delivery: z.enum(['sealed', 'direct']).default('sealed'),
    ttlSeconds: z.number().int().min(300).max(2_592_000).default(86_400),
    burnAfterRead: z.boolean().default(true),
    brand: z.string().trim().min(1).max(30).refine((s) => !/[\u0000-\u001f\u007f]/.test(s), { message: 'Must be plain text on one line' }).optional(),
    signals: EndUserSignals.optional(),
  })
  .superRefine((v, ctx) => {
    if ((v.body === undefined) === (v.templateId === undefined)) ctx.addIssue({ code: 'custom', path: ['body'], message: 'Send either body or templateId' });
    if (v.variables && !v.templateId) ctx.addIssue({ code: 'custom', path: ['variables'], message: 'Only with templateId' });
    if (v.recipientCheck && v.delivery === 'direct') ctx.addIssue({ code: 'custom', path: ['recipientCheck'], message: 'Only for sealed delivery' });
    if (v.delivery === 'direct' && v.body && v.body.length > 612) {
      ctx.addIssue({ code: 'custom', path: ['body'], message: 'At most 612 characters for direct delivery' });
    }
  })
  .meta({ id: 'SendMessageRequest' });
export type SendMessageRequest = z.infer<typeof SendMessageRequest>;

const Time = z.iso.datetime();
const Status = z.enum(['sent', 'opened', 'expired', 'revoked', 'failed']);

export const MessageSent = z
  .object({
    messageId: z.string(), status: z.literal('sent'), to: z.string(), delivery: z.enum(['sealed', 'direct']), category: z.enum(['transactional', 'promotional']), expiresAt: Time,
    deliveryStatus: DeliveryView,
  })
  .meta({ id: 'MessageSent' });

export const MessageView = z
  .object({
    messageId: z.string(),
    status: Status,
    to: z.string(),
    delivery: z.enum(['sealed', 'direct']),
    category: z.enum(['transactional', 'promotional']),
    createdAt: Time,
    expiresAt: Time,
    openedAt: Time.optional(),
    revokedAt: Time.optional(),
    deliveryStatus: DeliveryView,
  })
  .meta({ id: 'MessageView' });

export const MessageRevoked = z.object({ status: z.literal('revoked') }).meta({ id: 'MessageRevoked' });

export const OpenMessageRequest = z
  .strictObject({ code: z.string().regex(/^\d{6}$/, { message: 'Must be 6 digits' }), answer: z.string().min(1).max(100).optional() })
  .meta({ id: 'OpenMessageRequest' });
export const EmptyRecipientRequest = z.strictObject({}).meta({ id: 'EmptyRecipientRequest' });

export const OpenCodeSent = z
  .object({ status: z.literal('code_sent'), to: z.string(), codeExpiresAt: Time, resendAvailableAt: Time, sendsRemaining: z.number().int() })
  .meta({ id: 'OpenCodeSent' });

export const OpenedMessage = z
  .object({ body: z.string(), sentAt: Time, expiresAt: Time, brand: z.string(), burned: z.boolean() })
  .meta({ id: 'OpenedMessage' });

export const ArchiveReadQuery = z.strictObject({
  reason: z.string().trim().min(3).max(200).refine((s) => !/[\u0000-\u001f\u007f]/.test(s), { message: 'Plain text on one line' }),
});
export const ArchivedMessageView = z
  .object({ messageId: z.string(), body: z.string(), sentAt: Time, to: z.string(), archivedUntil: Time })
  .meta({ id: 'ArchivedMessage' });
