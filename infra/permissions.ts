/**
 * What each function may touch, by function name (functions/<name>.ts). The stack turns these into
 * IAM statements; infra tests assert them as properties (e.g. verify can't publish SMS).
 */
export type EnvelopePurpose = 'otp-delivery' | 'message-body' | 'message-recipient';

export type FunctionNeeds = {
  /** Data table: `read` = GetItem; `write` adds Put/Update/ConditionCheck (transactions). */
  data: 'read' | 'write';
  /** Powertools idempotency records. */
  idempotency?: boolean;
  /** Unwraps the HMAC keys at cold start (code hashes, blind indexes). */
  hmacKeys?: boolean;
  /** May create data keys for these envelope purposes (encrypt only). */
  encrypt?: EnvelopePurpose[];
  /** May unwrap data keys of these envelope purposes (decrypt). */
  decrypt?: EnvelopePurpose[];
  /** May publish SMS to phone numbers. */
  sms?: boolean;
  /** Appends audit events: PutItem on the audit table, and the chain heads in the data table. */
  audit?: boolean;
};

export const FUNCTION_NEEDS: Record<string, FunctionNeeds> = {
  'issue-otp': { data: 'write', idempotency: true, hmacKeys: true, encrypt: ['otp-delivery'], sms: true },
  'resend-otp': { data: 'write', hmacKeys: true, decrypt: ['otp-delivery'], sms: true },
  'verify-otp': { data: 'write', hmacKeys: true },
  'get-otp': { data: 'read' },
  'cancel-otp': { data: 'write' },
  'send-message': { data: 'write', idempotency: true, hmacKeys: true, encrypt: ['message-recipient', 'message-body'], sms: true, audit: true },
  'get-message': { data: 'read' },
  'revoke-message': { data: 'write', audit: true },
  // The page holds no key at all: it reads the link and the message's status.
  'recipient-page': { data: 'read' },
  'request-open-code': { data: 'write', hmacKeys: true, decrypt: ['message-recipient'], sms: true, audit: true },
  // The only function that may decrypt a message body.
  'open-message': { data: 'write', hmacKeys: true, decrypt: ['message-body'], audit: true },
};
