/**
 * What each function may touch, by function name (functions/<name>.ts). The stack turns these into
 * IAM statements; infra tests assert them as properties (e.g. verify can't publish SMS).
 */
type EnvelopePurpose = 'otp-delivery' | 'message-body' | 'message-recipient' | 'consent-evidence' | 'inbound-body' | 'inbound-from' | 'webhook-secret' | 'message-archive';

type HmacKeyName = 'codeHash' | 'blindIndex';
const BOTH_KEYS: HmacKeyName[] = ['codeHash', 'blindIndex'];

export type FunctionNeeds = {
  /** Data table: `read` = GetItem; `write` adds Put/Update/ConditionCheck (transactions); `none` for functions that never touch it. */
  data: 'none' | 'read' | 'write';
  /** Data table: Query (consent history, inbound list, subject index). */
  query?: boolean;
  /** Data table: DeleteItem (erasure only). */
  delete?: boolean;
  /** Powertools idempotency records. */
  idempotency?: boolean;
  /** The HMAC keys it unwraps at cold start, only those it uses: code hashes, blind indexes (numbers, ranges, provenance, idempotency). */
  hmacKeys?: HmacKeyName[];
  /** May create data keys for these envelope purposes (encrypt only). */
  encrypt?: EnvelopePurpose[];
  /** May unwrap data keys of these envelope purposes (decrypt). */
  decrypt?: EnvelopePurpose[];
  /** May publish SMS to phone numbers. */
  sms?: boolean;
  /** May place voice calls with a code (End User Messaging SendVoiceMessage), on stages that configure voice. */
  voice?: boolean;
  /** May send WhatsApp codes (End User Messaging Social SendWhatsAppMessage), on stages that link a number. */
  whatsapp?: boolean;
  /** May send codes through End User Messaging Notify, on `smsProvider: notify` stages. */
  notify?: boolean;
  /** May send e-mail codes (SES v2 SendEmail), on stages that configure e-mail. */
  email?: boolean;
  /** Appends audit events: PutItem on the audit table and nothing else (in the action's own transaction). */
  audit?: boolean;
  /** Reads audit events and seals back (Query, GetItem; Scan to verify all): the audit.read routes only. */
  auditRead?: 'list' | 'verify' | 'publicKey';
  /** The sealer: reads events, writes seals (PutItem only on the seal partitions), signs, archives. */
  seal?: boolean;
  /** Data table: only items whose partition key matches (IAM dynamodb:LeadingKeys), e.g. `EVENTS#*`. */
  leadingKeys?: string[];
  /** Data table: BatchWriteItem, only on items under these partition keys (the events feed). */
  batchWrite?: string[];
  /** Data table indexes it queries besides the subject index (receipts: bySms; sweep: byExpiry). */
  indexes?: ('sms' | 'expiry')[];
  /** Reads the audit table's stream, and the resource index for masks: the publisher. */
  auditStream?: boolean;
  /**
   * Range credits (the audit stream's approvals): Put/Update on the range windows and their credit
   * markers only, and Query on the subject index for whether a number was trusted before.
   */
  rangeCredit?: boolean;
  /** Puts events on the stage's bus. */
  bus?: boolean;
  /**
   * The retention archive bucket: `write` (the archiver: create-only PutObject with its retention;
   * it exists only on stages with an archive) or `read`.
   */
  archive?: 'write' | 'read';
  /** The archive outbox table: `write` (the sender's transaction), `read` (a copy not archived yet), `consume` (its stream, then DeleteItem). */
  archiveOutbox?: 'write' | 'read' | 'consume';
  /** Webhook queue: `send` (publisher) or `consume` (deliverer: receive, delete, change visibility). */
  webhookQueue?: 'send' | 'consume';
  /** Fallback triggers (API 1.2 workflows): `send` (publisher) or `consume` (advance-workflows). */
  fallbackQueue?: 'send' | 'consume';
  /**
   * Deployed in the `Channels` nested stack (the channels' machinery), not the main stack, which sits
   * near CloudFormation's resource budget. Only for functions new since 1.2: moving a deployed one
   * would replace it under the same name.
   */
  channelsStack?: boolean;
};

export const FUNCTION_NEEDS: Record<string, FunctionNeeds> = {
  // A carrier opt-out seen on send is recorded with its (empty) evidence envelope: hence consent-evidence.
  // Query: whether a number in a blocked range is trusted (its index, the rare path).
  'issue-otp': { data: 'write', query: true, idempotency: true, hmacKeys: BOTH_KEYS, encrypt: ['otp-delivery', 'consent-evidence'], sms: true, voice: true, whatsapp: true, notify: true, email: true, audit: true },
  'resend-otp': { data: 'write', query: true, hmacKeys: BOTH_KEYS, encrypt: ['consent-evidence'], decrypt: ['otp-delivery'], sms: true, voice: true, whatsapp: true, notify: true, email: true, audit: true },
  'verify-otp': { data: 'write', hmacKeys: ['codeHash'], audit: true },
  'get-otp': { data: 'read', leadingKeys: ['OTP#*'] },
  'cancel-otp': { data: 'write', audit: true },
  'send-message': { data: 'write', idempotency: true, hmacKeys: BOTH_KEYS, encrypt: ['message-recipient', 'message-body', 'consent-evidence', 'message-archive'], sms: true, audit: true, archiveOutbox: 'write', email: true, whatsapp: true },
  // The only function besides the recipient's open and a subject export that decrypts a body: the archived copy, with a reason.
  'get-archived-message': { data: 'none', decrypt: ['message-archive'], audit: true, archive: 'read', archiveOutbox: 'read' },
  'get-message': { data: 'read', leadingKeys: ['MSG#*'] },
  'revoke-message': { data: 'write', audit: true },
  // The page holds no key at all: it reads the link and the message's status.
  'recipient-page': { data: 'read', leadingKeys: ['LINK#*', 'MSG#*'] },
  'request-open-code': { data: 'write', hmacKeys: BOTH_KEYS, decrypt: ['message-recipient'], sms: true, audit: true, email: true, whatsapp: true },
  // The only function that may decrypt a message body.
  'open-message': { data: 'write', hmacKeys: ['codeHash'], decrypt: ['message-body'], audit: true },
  // One-click unsubscribe (RFC 8058): an address's consent record and its log only; the blind index key checks the link's tag.
  'unsubscribe-email': { data: 'write', hmacKeys: ['blindIndex'], audit: true, leadingKeys: ['CONSENT#*', 'CONSENTLOG#*'], channelsStack: true },
  'put-consent': { data: 'write', query: true, hmacKeys: ['blindIndex'], encrypt: ['consent-evidence'], decrypt: ['consent-evidence'], audit: true },
  'get-consents': { data: 'read', query: true, hmacKeys: ['blindIndex'], decrypt: ['consent-evidence'] },
  'inbound-sms': { data: 'write', hmacKeys: ['blindIndex'], encrypt: ['inbound-body', 'inbound-from', 'consent-evidence'], sms: true, audit: true },
  'list-inbound': { data: 'read', query: true, decrypt: ['inbound-body'] },
  'list-audit': { data: 'none', hmacKeys: ['blindIndex'], auditRead: 'list' },
  // Templates: their own items only (TPL#…), listed through the index key TEMPLATES.
  'create-template': { data: 'write', audit: true, leadingKeys: ['TPL#*'] },
  'revise-template': { data: 'write', audit: true, leadingKeys: ['TPL#*'] },
  'approve-template': { data: 'write', audit: true, leadingKeys: ['TPL#*'] },
  'get-template': { data: 'read', query: true, leadingKeys: ['TPL#*'] },
  'list-templates': { data: 'read', query: true, leadingKeys: ['TEMPLATES'] },
  // Reads the sent-text hashes only (PROV#…), with the key that makes them; counts the client's window (RL#provenance#…) and audits each look-up.
  'check-provenance': { data: 'write', query: true, hmacKeys: ['blindIndex'], audit: true, leadingKeys: ['PROV#*', 'RL#provenance#*'] },
  'verify-audit': { data: 'none', auditRead: 'verify' },
  'audit-public-key': { data: 'none', auditRead: 'publicKey' },
  // Ops' blocks: the block items only, listed through the data table's index; HMAC for range tags.
  'list-fraud-blocks': { data: 'read', query: true },
  'put-fraud-block': { data: 'write', hmacKeys: ['blindIndex'], audit: true },
  'delete-fraud-block': { data: 'write', delete: true, hmacKeys: ['blindIndex'], audit: true },
  // The only function that may sign a seal (the signing key's policy says so too).
  'seal-audit': { data: 'none', seal: true },
  // A subject access request is the one place besides the recipient's open where bodies are decrypted.
  'export-subject': { data: 'read', query: true, hmacKeys: ['blindIndex'], decrypt: ['otp-delivery', 'message-body', 'message-recipient', 'consent-evidence', 'inbound-body'], audit: true },
  'erase-subject': { data: 'write', query: true, delete: true, hmacKeys: ['blindIndex'], audit: true },
  // Webhooks: only these seal a secret; only the deliverer opens one.
  'put-webhook': { data: 'write', encrypt: ['webhook-secret'], audit: true, leadingKeys: ['WEBHOOK#*'] },
  'get-webhook': { data: 'read', leadingKeys: ['WEBHOOK#*'] },
  'delete-webhook': { data: 'write', delete: true, audit: true, leadingKeys: ['WEBHOOK#*'] },
  'rotate-webhook-secret': { data: 'write', encrypt: ['webhook-secret'], audit: true, leadingKeys: ['WEBHOOK#*'] },
  'list-events': { data: 'read', query: true, leadingKeys: ['EVENTS#*'] },
  // Off the request path: the outbox's publisher, the deliverer, receipts and the expiry sweep.
  // The publisher writes the feed and reads webhooks (and lists them through the index key WEBHOOKS), nothing else.
  'publish-events': { data: 'read', query: true, batchWrite: ['EVENTS#*'], leadingKeys: ['EVENTS#*', 'WEBHOOK*'], auditStream: true, bus: true, webhookQueue: 'send', fallbackQueue: 'send' },
  'deliver-webhooks': { data: 'read', decrypt: ['webhook-secret'], leadingKeys: ['WEBHOOK#*'], webhookQueue: 'consume' },
  'sms-receipts': { data: 'write', indexes: ['sms'], audit: true },
  'sweep-expiries': { data: 'write', indexes: ['expiry'], audit: true },
  // A workflow's next step: reads the verification, opens its number, sends like resend-otp (its
  // windows, range and trust query; a carrier opt-out is recorded), with the step's events.
  'advance-workflows': { channelsStack: true, data: 'write', query: true, hmacKeys: BOTH_KEYS, encrypt: ['consent-evidence'], decrypt: ['otp-delivery'], sms: true, voice: true, whatsapp: true, notify: true, email: true, audit: true, fallbackQueue: 'consume' },
  // Reads an approved verification's number, asks whether it was trusted before, credits its range once.
  'credit-ranges': { data: 'read', leadingKeys: ['OTP#*'], rangeCredit: true },
  // Moves sealed copies from the outbox into the archive: it never opens one, and touches nothing else.
  'archive-messages': { data: 'none', archive: 'write', archiveOutbox: 'consume' },
};

/** The functions a stage deploys: all of them, but the archiver only where there is an archive to write. */
export const stageFunctionNames = (names: readonly string[], stage: { archive?: unknown }): string[] =>
  names.filter((name) => FUNCTION_NEEDS[name]?.archive !== 'write' || stage.archive !== undefined);
