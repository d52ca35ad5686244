import type { z } from 'zod';
import { SCOPES, type Scope } from '#shared/http/scopes';
import { EmptyRequest, IssueOtpRequest, OtpApproved, OtpCanceled, OtpIssued, OtpView, VerifyOtpRequest } from '#shared/otp/schemas';

/**
 * The HTTP surface, once: API Gateway (infra/constructs/api.ts), the local stack
 * (infra/local/gateway.ts) and the OpenAPI document (infra/openapi) are all built from this list.
 * Each route is served by `functions/<fn>.ts`, one Lambda function per route.
 */
export type Route = {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  fn: string;
  scope: Scope;
  summary: string;
  request?: z.ZodType;
  success: { status: number; schema: z.ZodType };
  /** Problem `code`s by status, for the docs; 400/401/403/413/500 apply to every route. */
  errors: Partial<Record<number, string[]>>;
  idempotent?: boolean;
};

export const ROUTES: readonly Route[] = [
  {
    method: 'POST', path: '/v1/otp', fn: 'issue-otp', scope: SCOPES.otpSend, idempotent: true,
    summary: 'Start a verification: text a one-time code to a phone number',
    request: IssueOtpRequest, success: { status: 201, schema: OtpIssued },
    errors: { 403: ['destination_not_allowed', 'recipient_opted_out'], 409: ['idempotency_key_reused', 'idempotency_in_progress'], 429: ['rate_limited'], 502: ['delivery_failed'] },
  },
  {
    method: 'POST', path: '/v1/otp/{id}/resend', fn: 'resend-otp', scope: SCOPES.otpSend,
    summary: 'Send a new code; the previous one stops working',
    request: EmptyRequest, success: { status: 200, schema: OtpIssued },
    errors: { 404: ['not_found'], 410: ['expired', 'max_attempts_reached', 'already_approved', 'canceled', 'failed'], 429: ['rate_limited'], 502: ['delivery_failed'] },
  },
  {
    method: 'POST', path: '/v1/otp/{id}/verify', fn: 'verify-otp', scope: SCOPES.otpVerify,
    summary: 'Check a code (single use)',
    request: VerifyOtpRequest, success: { status: 200, schema: OtpApproved },
    errors: { 404: ['not_found'], 410: ['expired', 'max_attempts_reached', 'already_approved', 'canceled', 'failed'], 422: ['invalid_code'] },
  },
  {
    method: 'GET', path: '/v1/otp/{id}', fn: 'get-otp', scope: SCOPES.otpVerify,
    summary: 'Read a verification (never its code)',
    success: { status: 200, schema: OtpView },
    errors: { 404: ['not_found'] },
  },
  {
    method: 'DELETE', path: '/v1/otp/{id}', fn: 'cancel-otp', scope: SCOPES.otpSend,
    summary: 'Cancel a pending verification',
    success: { status: 200, schema: OtpCanceled },
    errors: { 404: ['not_found'], 410: ['expired', 'max_attempts_reached', 'already_approved', 'canceled', 'failed'] },
  },
];

/** Distinct functions, in route order. */
export const FUNCTION_NAMES: readonly string[] = [...new Set(ROUTES.map((r) => r.fn))];
