/**
 * Every error a client can see, defined once. Each carries its HTTP status and the stable `code`
 * clients branch on; `toProblem` in http/problem.ts is the only place that turns them into JSON.
 * Messages are fixed strings: no error ever carries a phone number, a code or a message body.
 */
export type FieldError = { path: string; message: string };

export abstract class AppError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;
  /** Extra problem members, safe to show to the caller. */
  readonly extra: Record<string, unknown> = {};
  /** Extra response headers, e.g. Retry-After. */
  readonly headers: Record<string, string> = {};
  constructor(readonly title: string) {
    super(title);
    this.name = new.target.name;
  }
}

export class ValidationFailed extends AppError {
  readonly status = 400;
  readonly code = 'validation_failed';
  constructor(readonly errors: FieldError[]) {
    super('The request is not valid');
    this.extra.errors = errors;
  }
}

export class MalformedJson extends AppError {
  readonly status = 400;
  readonly code = 'malformed_json';
  constructor() { super('The request body is not valid JSON'); }
}

export class Unauthorized extends AppError {
  readonly status = 401;
  readonly code = 'unauthorized';
  constructor() { super('A valid bearer token is required'); }
}

export class InsufficientScope extends AppError {
  readonly status = 403;
  readonly code = 'insufficient_scope';
  constructor(scope: string) {
    super('The token does not grant this operation');
    this.extra.requiredScope = scope;
  }
}

export class DestinationNotAllowed extends AppError {
  readonly status = 403;
  readonly code = 'destination_not_allowed';
  constructor(reason: 'country' | 'number_type' | 'prefix_blocked' | 'country_paused') {
    super('Messages to this destination are not allowed');
    this.extra.reason = reason;
  }
}

export class RecipientOptedOut extends AppError {
  readonly status = 403;
  readonly code = 'recipient_opted_out';
  constructor() { super('The recipient has opted out of messages'); }
}

/** API 1.2: a channel this deployment has not configured (or not yet built: WhatsApp, e-mail). */
export class ChannelUnavailable extends AppError {
  readonly status = 403;
  readonly code = 'channel_unavailable';
  constructor(channel: string) {
    super('This channel is not available on this deployment');
    this.extra.channel = channel;
  }
}

export class ConsentRequired extends AppError {
  readonly status = 403;
  readonly code = 'consent_required';
  constructor(channel?: string) {
    super(
      channel === 'whatsapp' ? 'WhatsApp messages need the recipient\'s recorded WhatsApp opt-in'
        : channel === 'email' ? 'Promotional e-mail needs the address\'s recorded e-mail opt-in'
          : 'Promotional messages need the recipient\'s recorded opt-in',
    );
    if (channel) this.extra.channel = channel;
  }
}

export class NotFound extends AppError {
  readonly status = 404;
  readonly code = 'not_found';
  constructor() { super('Not found'); }
}

export class IdempotencyKeyReused extends AppError {
  readonly status = 409;
  readonly code = 'idempotency_key_reused';
  constructor() { super('This Idempotency-Key was already used with a different request'); }
}

export class IdempotencyInProgress extends AppError {
  readonly status = 409;
  readonly code = 'idempotency_in_progress';
  constructor() {
    super('A request with this Idempotency-Key is still in progress');
    this.headers['Retry-After'] = '1';
  }
}

export type ClosedReason = 'expired' | 'max_attempts_reached' | 'already_approved' | 'canceled' | 'failed';

/** 410: the verification exists but can no longer be used. */
export class VerificationClosed extends AppError {
  readonly status = 410;
  readonly code: ClosedReason;
  constructor(reason: ClosedReason) {
    super('This verification can no longer be used');
    this.code = reason;
  }
}

export type MessageGoneReason = 'expired' | 'revoked' | 'already_read' | 'max_attempts_reached' | 'failed';

/** 410: the sealed message can no longer be opened, code-requested or revoked. */
export class MessageGone extends AppError {
  readonly status = 410;
  readonly code: MessageGoneReason;
  constructor(reason: MessageGoneReason) {
    super('This message is no longer available');
    this.code = reason;
  }
}

/** 403: maker-checker: the client that wrote a template version may not approve it. */
export class SecondApproverRequired extends AppError {
  readonly status = 403;
  readonly code = 'second_approver_required';
  constructor() { super('A template version must be approved by a client other than its author'); }
}

/** 403: the deploy setting requireApprovedTemplates refuses a free body for this category. */
export class TemplateRequired extends AppError {
  readonly status = 403;
  readonly code = 'template_required';
  constructor(category: string) {
    super('Messages of this category must be sent from an approved template');
    this.extra.category = category;
  }
}

/** 409: the template version is no longer a draft, or a newer version is approved already. */
export class TemplateConflict extends AppError {
  readonly status = 409;
  readonly code: 'version_not_draft' | 'newer_version_approved' | 'template_changed';
  constructor(code: 'version_not_draft' | 'newer_version_approved' | 'template_changed') {
    super('The template changed meanwhile; read it and try again');
    this.code = code;
  }
}

/** 422: a message names a template that has no approved version yet. */
export class TemplateNotApproved extends AppError {
  readonly status = 422;
  readonly code = 'template_not_approved';
  constructor() { super('The template has no approved version'); }
}

export class PayloadTooLarge extends AppError {
  readonly status = 413;
  readonly code = 'payload_too_large';
  constructor(limitBytes: number) {
    super('The request body is too large');
    this.extra.limitBytes = limitBytes;
  }
}

export class UnsupportedMediaType extends AppError {
  readonly status = 415;
  readonly code = 'unsupported_media_type';
  constructor() { super('Send the request body as application/json'); }
}

export class InvalidCode extends AppError {
  readonly status = 422;
  readonly code = 'invalid_code';
  constructor(remainingAttempts: number) {
    super('The code is not correct');
    this.extra.remainingAttempts = remainingAttempts;
  }
}

/** 422: the message has a recipient check and the open gave no answer; the code stays valid. */
export class AnswerRequired extends AppError {
  readonly status = 422;
  readonly code = 'answer_required';
  constructor(prompt: string) {
    super('Answer the check question to open this message');
    // The sender's question (never the answer): what the page asks next.
    this.extra.prompt = prompt;
  }
}

/** 422: the recipient check's answer is wrong; it counts as a failed attempt. */
export class InvalidAnswer extends AppError {
  readonly status = 422;
  readonly code = 'invalid_answer';
  constructor(remainingAttempts: number) {
    super('The answer is not correct');
    this.extra.remainingAttempts = remainingAttempts;
  }
}

export class RateLimited extends AppError {
  readonly status = 429;
  readonly code = 'rate_limited';
  constructor(retryAfterSeconds: number, limit: string) {
    super('Too many requests; try again later');
    const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
    this.headers['Retry-After'] = String(seconds);
    this.extra.retryAfter = seconds;
    this.extra.limit = limit;
  }
}

export class DeliveryFailed extends AppError {
  readonly status = 502;
  readonly code = 'delivery_failed';
  /** `providerReason` is for the log only; it is not part of the problem document. */
  constructor(readonly providerReason = 'unknown') { super('The SMS provider did not accept the message'); }
}

/**
 * A dependency (DynamoDB, KMS, SNS) is throttling, timing out or failing after the SDK's own retries
 * with backoff and jitter: nothing was committed (every write is one transaction), so the caller may
 * simply try again later. `503` with `Retry-After`, never the dependency's own message.
 */
export class ServiceUnavailable extends AppError {
  readonly status = 503;
  readonly code = 'service_unavailable';
  constructor(retryAfterSeconds = 2) {
    super('A service Sealtext depends on is busy or unavailable; try again shortly');
    this.headers['Retry-After'] = String(retryAfterSeconds);
    this.extra.retryAfter = retryAfterSeconds;
  }
}

const TRANSIENT_NAMES = new Set([
  'ThrottlingException', 'ProvisionedThroughputExceededException', 'RequestLimitExceeded', 'TooManyRequestsException', 'LimitExceededException',
  'InternalServerError', 'InternalFailure', 'ServiceUnavailable', 'ServiceUnavailableException', 'KMSInternalException', 'DependencyTimeoutException',
  'KeyUnavailableException', 'TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'TransactionInProgressException', 'TransactionConflictException',
]);
const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);

/** True for an AWS SDK or network error that says "later", not "never". */
export function isTransientDependencyError(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false;
  const e = error as { name?: string; code?: string; $retryable?: unknown; $fault?: string; $metadata?: { httpStatusCode?: number }; cause?: unknown };
  if (e.name && TRANSIENT_NAMES.has(e.name)) return true;
  if (e.code && TRANSIENT_CODES.has(e.code)) return true;
  if (e.$retryable) return true;
  if (e.$fault === 'server' || (e.$metadata?.httpStatusCode ?? 0) >= 500) return true;
  return e.cause !== undefined && e.cause !== error && isTransientDependencyError(e.cause);
}
