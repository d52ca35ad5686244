import { DeliveryView } from '../delivery/schemas.ts';
import { z } from 'zod';
import { EndUserSignals } from '../ratelimit/end-user.ts';

/** The OTP request and response shapes: validated at the edge and published as OpenAPI. */
const controlChars = /[\u0000-\u001f\u007f]/;
const plainText = (max: number) =>
  z.string().trim().min(1).max(max).refine((s) => !controlChars.test(s), { message: 'Must be plain text on one line' });

export const E164String = z
  .string()
  .regex(/^\+[1-9]\d{7,14}$/, { message: 'Must be an E.164 number: + and 8 to 15 digits' })
  .meta({ description: 'E.164 phone number', example: '+447400123456' });

export const Transaction = z
  .strictObject({
    amount: z.string().regex(/^(0|[1-9]\d{0,11})(\.\d{1,4})?$/, { message: 'Must be a decimal amount such as 120.50' }),
    currency: z.string().regex(/^[A-Z]{3}$/, { message: 'Must be an ISO 4217 code such as EUR' }),
    payee: plainText(70),
  })
  .meta({ id: 'Transaction', description: 'The transaction the code is bound to (dynamic linking)' });

export const Purpose = z.enum(['login', 'transaction', 'password_reset', 'delivery', 'generic']);
export const Locale = z.enum(['en', 'de']);

export const IssueOtpRequest = z
  .strictObject({
    to: E164String,
    purpose: Purpose.default('login'),
    codeLength: z.number().int().min(6).max(10).default(6),
    ttlSeconds: z.number().int().min(60).max(600).default(300),
    locale: Locale.default('en'),
    brand: plainText(30).optional(),
    transaction: Transaction.optional(),
    signals: EndUserSignals.optional(),
  })
  .superRefine((v, ctx) => {
    if (v.purpose === 'transaction' && !v.transaction)
      ctx.addIssue({ code: 'custom', path: ['transaction'], message: 'Required when purpose is transaction' });
    if (v.purpose !== 'transaction' && v.transaction)
      ctx.addIssue({ code: 'custom', path: ['transaction'], message: 'Allowed only when purpose is transaction' });
  })
  .meta({ id: 'IssueOtpRequest' });
export type IssueOtpRequest = z.infer<typeof IssueOtpRequest>;

export const VerifyOtpRequest = z
  .strictObject({
    code: z.string().regex(/^\d{6,10}$/, { message: 'Must be 6 to 10 digits' }),
    transaction: Transaction.optional(),
  })
  .meta({ id: 'VerifyOtpRequest' });
export type VerifyOtpRequest = z.infer<typeof VerifyOtpRequest>;

/** Resend and cancel take no body; an empty object is accepted. */
export const EmptyRequest = z.strictObject({}).meta({ id: 'EmptyRequest' });

const Status = z.enum(['pending', 'approved', 'expired', 'max_attempts_reached', 'canceled', 'failed']);
const Time = z.iso.datetime();
const MaskedPhone = z.string().meta({ example: '+4474******56' });

export const OtpIssued = z
  .object({
    verificationId: z.string(),
    status: Status,
    to: MaskedPhone,
    channel: z.literal('sms'),
    purpose: Purpose,
    expiresAt: Time,
    sendsRemaining: z.number().int(),
    resendAvailableAt: Time,
    delivery: DeliveryView,
  })
  .meta({ id: 'OtpIssued' });

export const OtpApproved = z
  .object({ verificationId: z.string(), status: z.literal('approved'), approvedAt: Time })
  .meta({ id: 'OtpApproved' });

export const OtpView = z
  .object({
    verificationId: z.string(),
    status: Status,
    to: MaskedPhone,
    purpose: Purpose,
    attempts: z.number().int(),
    sends: z.number().int(),
    createdAt: Time,
    expiresAt: Time,
    approvedAt: Time.optional(),
    delivery: DeliveryView,
  })
  .meta({ id: 'OtpView' });

export const OtpCanceled = z.object({ status: z.literal('canceled') }).meta({ id: 'OtpCanceled' });
