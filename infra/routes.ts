import type * as z from '#shared/zod';
import { SCOPES, type Scope } from '#shared/http/scopes';
import {
  ArchivedMessageView, EmptyRecipientRequest, MessageRevoked, MessageSent, MessageView, OpenCodeSent, OpenedMessage, OpenMessageRequest, SendMessageRequest,
} from '#shared/messages/schemas';
import { EmptyRequest, IssueOtpRequest, OtpApproved, OtpCanceled, OtpIssued, OtpView, ResendOtpRequest, VerifyOtpRequest } from '#shared/otp/schemas';
import { AuditPage, AuditPublicKey, AuditSearchRequest, AuditVerdict } from '#shared/audit/query';
import { ConsentLookupRequest, ConsentView, PutConsentRequest } from '#shared/consent/schemas';
import { FraudBlockLifted, FraudBlockList, FraudBlockView, PutFraudBlockRequest } from '#shared/fraud/schemas';
import { InboundList } from '#shared/inbound/schemas';
import { SubjectErasure, SubjectExport, SubjectRequest } from '#shared/subjects/schemas';
import { EventPage } from '#shared/events/schemas';
import { ProvenanceAnswer, ProvenanceRequest } from '#shared/provenance/schemas';
import { ApproveTemplateRequest, CreateTemplateRequest, ReviseTemplateRequest, TemplateList, TemplateVersionWritten, TemplateView } from '#shared/templates/schemas';
import { PutWebhookRequest, WebhookDeleted, WebhookView, WebhookWithSecret } from '#shared/webhooks/schemas';

/**
 * The HTTP surface, once: API Gateway (infra/constructs/api.ts), the local stack
 * (infra/local/gateway.ts) and the OpenAPI document (infra/openapi) are all built from this list.
 * Each route is served by `functions/<fn>.ts`, one Lambda function per route.
 */
export type Route = {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  fn: string;
  /** The OAuth scope the method requires; `public` routes are the recipient's (the link's token is the capability). */
  scope: Scope | 'public';
  summary: string;
  request?: z.ZodMiniType;
  /** A JSON schema, or `html` for the recipient page. */
  success: { status: number; schema: z.ZodMiniType | 'html' };
  /** Problem `code`s by status, for the docs; 400/401/403/413/500/503 apply to every route. */
  errors: Partial<Record<number, string[]>>;
  idempotent?: boolean;
  /** The OpenAPI operationId, where the function serves more than one route; else the function's name. */
  operationId?: string;
  /** A 1.0 form that names a person in its URL: kept working, documented as deprecated (the body form replaces it). */
  deprecated?: boolean;
};

export const ROUTES: readonly Route[] = [
  {
    method: 'POST', path: '/v1/otp', fn: 'issue-otp', scope: SCOPES.otpSend, idempotent: true,
    summary: 'Start a verification: send a one-time code to a phone number (SMS, or a voice call)',
    request: IssueOtpRequest, success: { status: 201, schema: OtpIssued },
    errors: { 403: ['destination_not_allowed', 'recipient_opted_out', 'channel_unavailable'], 409: ['idempotency_key_reused', 'idempotency_in_progress'], 429: ['rate_limited'], 502: ['delivery_failed'] },
  },
  {
    method: 'POST', path: '/v1/otp/{id}/resend', fn: 'resend-otp', scope: SCOPES.otpSend,
    summary: 'Send a new code, on the same channel or another ("call me instead"); every earlier code stops working',
    request: ResendOtpRequest, success: { status: 200, schema: OtpIssued },
    errors: { 403: ['channel_unavailable'], 404: ['not_found'], 410: ['expired', 'max_attempts_reached', 'already_approved', 'canceled', 'failed'], 429: ['rate_limited'], 502: ['delivery_failed'] },
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
  {
    method: 'POST', path: '/v1/messages', fn: 'send-message', scope: SCOPES.messagesSend, idempotent: true,
    summary: 'Send a sealed message (the SMS holds only a notice and a link) or a direct one',
    request: SendMessageRequest, success: { status: 201, schema: MessageSent },
    errors: { 403: ['destination_not_allowed', 'recipient_opted_out', 'consent_required'], 409: ['idempotency_key_reused', 'idempotency_in_progress'], 429: ['rate_limited'], 502: ['delivery_failed'] },
  },
  {
    method: 'GET', path: '/v1/messages/{id}', fn: 'get-message', scope: SCOPES.messagesManage,
    summary: 'Read a message\'s status (never its body)',
    success: { status: 200, schema: MessageView },
    errors: { 404: ['not_found'] },
  },
  {
    method: 'DELETE', path: '/v1/messages/{id}', fn: 'revoke-message', scope: SCOPES.messagesManage,
    summary: 'Revoke a message: its content is deleted at once and the link stops working',
    success: { status: 200, schema: MessageRevoked },
    errors: { 404: ['not_found'], 410: ['expired', 'revoked', 'already_read', 'failed'] },
  },
  {
    method: 'GET', path: '/m/{token}', fn: 'recipient-page', scope: 'public',
    summary: 'The recipient page (HTML). Loading it changes nothing.',
    success: { status: 200, schema: 'html' },
    errors: { 404: ['not_found'], 410: ['expired', 'revoked', 'already_read', 'max_attempts_reached', 'failed'] },
  },
  {
    method: 'POST', path: '/m/{token}/code', fn: 'request-open-code', scope: 'public',
    summary: 'Text the message\'s recipient a one-time code to open it',
    request: EmptyRecipientRequest, success: { status: 202, schema: OpenCodeSent },
    errors: { 404: ['not_found'], 410: ['expired', 'revoked', 'already_read', 'max_attempts_reached', 'failed'], 429: ['rate_limited'] },
  },
  {
    method: 'POST', path: '/m/{token}/open', fn: 'open-message', scope: 'public',
    summary: 'Open the message with the code (and the answer to its recipient check, if it has one); with burn-after-read the content is deleted before this answers',
    request: OpenMessageRequest, success: { status: 200, schema: OpenedMessage },
    errors: { 404: ['not_found'], 410: ['expired', 'revoked', 'already_read', 'max_attempts_reached', 'failed'], 422: ['invalid_code', 'answer_required', 'invalid_answer'] },
  },
  {
    method: 'GET', path: '/u/{token}', fn: 'unsubscribe-email', scope: 'public', operationId: 'unsubscribePage',
    summary: 'The unsubscribe page of a promotional e-mail (HTML). Loading it changes nothing; its button posts the one-click form.',
    success: { status: 200, schema: 'html' },
    errors: { 404: ['not_found'] },
  },
  {
    method: 'POST', path: '/u/{token}', fn: 'unsubscribe-email', scope: 'public', operationId: 'unsubscribeOneClick',
    summary: 'One-click unsubscribe (RFC 8058): the body is the form `List-Unsubscribe=One-Click`; records the address\'s promotional e-mail opt-out (source one_click_unsubscribe)',
    success: { status: 200, schema: 'html' },
    errors: { 400: ['validation_failed'], 404: ['not_found'] },
  },
  {
    method: 'PUT', path: '/v1/consents', fn: 'put-consent', scope: SCOPES.consentWrite,
    summary: 'Record an opt-in or opt-out (promotional, or all SMS); every change is kept',
    request: PutConsentRequest, success: { status: 200, schema: ConsentView },
    errors: {},
  },
  {
    method: 'POST', path: '/v1/consents/lookup', fn: 'get-consents', scope: SCOPES.consentRead, operationId: 'lookupConsents',
    summary: 'Consent state and history of a number (the number in the body, never in the URL)',
    request: ConsentLookupRequest, success: { status: 200, schema: ConsentView },
    errors: {},
  },
  {
    method: 'GET', path: '/v1/consents', fn: 'get-consents', scope: SCOPES.consentRead, deprecated: true,
    summary: 'Deprecated: use POST /v1/consents/lookup. Consent state and history of a number (?to=+E164)',
    success: { status: 200, schema: ConsentView },
    errors: {},
  },
  {
    method: 'GET', path: '/v1/inbound', fn: 'list-inbound', scope: SCOPES.inboundRead,
    summary: 'Texts people sent to the business (?since=&cursor=&limit=), oldest first',
    success: { status: 200, schema: InboundList },
    errors: {},
  },
  {
    method: 'POST', path: '/v1/audit/search', fn: 'list-audit', scope: SCOPES.auditRead, operationId: 'searchAudit',
    summary: 'Audit events (the number and the period in the body), subjects masked',
    request: AuditSearchRequest, success: { status: 200, schema: AuditPage },
    errors: {},
  },
  {
    method: 'GET', path: '/v1/audit', fn: 'list-audit', scope: SCOPES.auditRead, deprecated: true,
    summary: 'Deprecated where it names a number (?to=): use POST /v1/audit/search. Audit events (?to=&from=&until=&cursor=), subjects masked',
    success: { status: 200, schema: AuditPage },
    errors: {},
  },
  {
    method: 'GET', path: '/v1/audit/verify', fn: 'verify-audit', scope: SCOPES.auditRead,
    summary: 'Verify the sealed audit trail: intact (with counts), or the first event or seal that breaks it',
    success: { status: 200, schema: AuditVerdict },
    errors: {},
  },
  {
    method: 'GET', path: '/v1/audit/public-key', fn: 'audit-public-key', scope: SCOPES.auditRead,
    summary: 'The PEM public key that verifies every audit seal (ECDSA P-256, SHA-256)',
    success: { status: 200, schema: AuditPublicKey },
    errors: {},
  },
  {
    method: 'POST', path: '/v1/templates', fn: 'create-template', scope: SCOPES.templatesWrite,
    summary: 'Create a template: its text becomes draft version 1 ({{variable}} placeholders)',
    request: CreateTemplateRequest, success: { status: 201, schema: TemplateVersionWritten },
    errors: {},
  },
  {
    method: 'GET', path: '/v1/templates', fn: 'list-templates', scope: SCOPES.templatesWrite,
    summary: 'Every template of the business, with its latest and approved versions',
    success: { status: 200, schema: TemplateList },
    errors: {},
  },
  {
    method: 'GET', path: '/v1/templates/{id}', fn: 'get-template', scope: SCOPES.templatesWrite,
    summary: 'A template and all its versions, who wrote and who approved each',
    success: { status: 200, schema: TemplateView },
    errors: { 404: ['not_found'] },
  },
  {
    method: 'PUT', path: '/v1/templates/{id}', fn: 'revise-template', scope: SCOPES.templatesWrite,
    summary: 'A new draft version of the template (approved versions never change)',
    request: ReviseTemplateRequest, success: { status: 200, schema: TemplateVersionWritten },
    errors: { 404: ['not_found'] },
  },
  {
    method: 'POST', path: '/v1/templates/{id}/versions/{version}/approve', fn: 'approve-template', scope: SCOPES.templatesApprove,
    summary: 'Approve a draft version: only a client other than its author may (maker-checker)',
    request: ApproveTemplateRequest, success: { status: 200, schema: TemplateVersionWritten },
    errors: { 403: ['second_approver_required'], 404: ['not_found'], 409: ['version_not_draft', 'newer_version_approved', 'template_changed'] },
  },
  {
    method: 'GET', path: '/v1/archive/messages/{id}', fn: 'get-archived-message', scope: SCOPES.archiveRead,
    summary: 'An archived message (?reason= 3 to 200 characters, audited), for the client that sent it',
    success: { status: 200, schema: ArchivedMessageView },
    errors: { 404: ['not_found'] },
  },
  {
    method: 'POST', path: '/v1/provenance', fn: 'check-provenance', scope: SCOPES.auditRead,
    summary: 'Was this exact SMS, to this number, sent by this service? (only keyed hashes of sent texts are kept)',
    request: ProvenanceRequest, success: { status: 200, schema: ProvenanceAnswer },
    errors: {},
  },
  {
    method: 'GET', path: '/v1/fraud/blocks', fn: 'list-fraud-blocks', scope: SCOPES.fraudManage,
    summary: 'Range and country blocks in force (range keys are digit prefixes, never numbers)',
    success: { status: 200, schema: FraudBlockList },
    errors: {},
  },
  {
    method: 'PUT', path: '/v1/fraud/blocks', fn: 'put-fraud-block', scope: SCOPES.fraudManage,
    summary: 'Block a range or pause a whole country by hand, for some hours (audited)',
    request: PutFraudBlockRequest, success: { status: 200, schema: FraudBlockView },
    errors: {},
  },
  {
    method: 'DELETE', path: '/v1/fraud/blocks/{kind}/{key}', fn: 'delete-fraud-block', scope: SCOPES.fraudManage,
    summary: 'Lift a range or country block (audited)',
    success: { status: 200, schema: FraudBlockLifted },
    errors: { 404: ['not_found'] },
  },
  {
    method: 'PUT', path: '/v1/webhook', fn: 'put-webhook', scope: SCOPES.webhooksManage,
    summary: 'Create or change this client\'s webhook (https; signed per Standard Webhooks); the secret is returned only on creation',
    request: PutWebhookRequest, success: { status: 200, schema: WebhookWithSecret },
    errors: {},
  },
  {
    method: 'GET', path: '/v1/webhook', fn: 'get-webhook', scope: SCOPES.webhooksManage,
    summary: 'This client\'s webhook (never its secret)',
    success: { status: 200, schema: WebhookView },
    errors: { 404: ['not_found'] },
  },
  {
    method: 'DELETE', path: '/v1/webhook', fn: 'delete-webhook', scope: SCOPES.webhooksManage,
    summary: 'Remove this client\'s webhook; queued deliveries stop',
    success: { status: 200, schema: WebhookDeleted },
    errors: { 404: ['not_found'] },
  },
  {
    method: 'POST', path: '/v1/webhook/rotate-secret', fn: 'rotate-webhook-secret', scope: SCOPES.webhooksManage,
    summary: 'Replace the webhook\'s signing secret; the new one is returned once',
    request: EmptyRequest, success: { status: 200, schema: WebhookWithSecret },
    errors: { 404: ['not_found'] },
  },
  {
    method: 'GET', path: '/v1/events', fn: 'list-events', scope: SCOPES.eventsRead,
    summary: 'This client\'s events of the last 30 days (?after=&types=&limit=), oldest first, for polling and replay',
    success: { status: 200, schema: EventPage },
    errors: {},
  },
  {
    method: 'POST', path: '/v1/subjects/export', fn: 'export-subject', scope: SCOPES.subjectsManage, operationId: 'requestSubjectExport',
    summary: 'Everything held about a number, decrypted (subject access request; the number in the body)',
    request: SubjectRequest, success: { status: 200, schema: SubjectExport },
    errors: {},
  },
  {
    method: 'POST', path: '/v1/subjects/erase', fn: 'erase-subject', scope: SCOPES.subjectsManage, operationId: 'requestSubjectErasure',
    summary: 'Erase everything held about a number (the number in the body); an opt-out survives as a suppression entry',
    request: SubjectRequest, success: { status: 200, schema: SubjectErasure },
    errors: {},
  },
  {
    method: 'GET', path: '/v1/subjects/{phone}/export', fn: 'export-subject', scope: SCOPES.subjectsManage, deprecated: true,
    summary: 'Deprecated: use POST /v1/subjects/export. Everything held about a number, decrypted (subject access request)',
    success: { status: 200, schema: SubjectExport },
    errors: {},
  },
  {
    method: 'DELETE', path: '/v1/subjects/{phone}', fn: 'erase-subject', scope: SCOPES.subjectsManage, deprecated: true,
    summary: 'Deprecated: use POST /v1/subjects/erase. Erase everything held about a number; an opt-out survives as a suppression entry',
    success: { status: 200, schema: SubjectErasure },
    errors: {},
  },
];

/**
 * Functions driven by events rather than routes: two-way SMS, the audit sealer's and the expiry
 * sweep's schedules, the audit stream's publisher, the webhook queue's deliverer, SMS receipts.
 */
export const EVENT_FUNCTIONS: readonly string[] = ['inbound-sms', 'seal-audit', 'sweep-expiries', 'publish-events', 'deliver-webhooks', 'sms-receipts', 'archive-messages', 'credit-ranges', 'advance-workflows'];

/** Distinct functions, in route order, then the event functions. */
export const FUNCTION_NAMES: readonly string[] = [...new Set([...ROUTES.map((r) => r.fn), ...EVENT_FUNCTIONS])];
