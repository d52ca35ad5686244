/** OAuth scopes of the resource server `p2a`, as in API.md. */
export const SCOPES = {
  otpSend: 'p2a/otp.send',
  otpVerify: 'p2a/otp.verify',
  messagesSend: 'p2a/messages.send',
  messagesManage: 'p2a/messages.manage',
  consentWrite: 'p2a/consent.write',
  consentRead: 'p2a/consent.read',
  auditRead: 'p2a/audit.read',
  subjectsManage: 'p2a/subjects.manage',
  /** Not in API.md's table: reading the inbound texts people send to the business (GET /v1/inbound). */
  inboundRead: 'p2a/inbound.read',
  /** Ops: range and country blocks (GET/PUT/DELETE /v1/fraud/blocks). */
  fraudManage: 'p2a/fraud.manage',
  /** The client's webhook (PUT/GET/DELETE /v1/webhook, POST /v1/webhook/rotate-secret). */
  webhooksManage: 'p2a/webhooks.manage',
  /** The client's events of the last 30 days (GET /v1/events). */
  eventsRead: 'p2a/events.read',
  /** Templates: write drafts and read them; approve another client's version (maker-checker). */
  templatesWrite: 'p2a/templates.write',
  templatesApprove: 'p2a/templates.approve',
  /** Reading archived messages, with a reason (audited). */
  archiveRead: 'p2a/archive.read',
} as const;
export type Scope = (typeof SCOPES)[keyof typeof SCOPES];
export const ALL_SCOPES: readonly Scope[] = Object.values(SCOPES);
