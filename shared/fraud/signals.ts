/**
 * The fraud signals: counters emitted as CloudWatch metrics (EMF, namespace `Sealtext`), with
 * low-cardinality dimensions only (limit name, country on the allow list, refusal reason).
 * The alarm rules (alarm-rules.ts) read exactly these names.
 */
export const SIGNAL = {
  issued: 'OtpIssued',
  sent: 'SmsSent',
  approved: 'OtpApproved',
  failedVerify: 'OtpVerifyFailed',
  locked: 'NumberLocked',
  rateLimited: 'RateLimited',
  refused: 'DestinationRefused',
  smsFailed: 'SmsFailed',
  issuedByCountry: 'OtpIssuedByCountry',
  approvedByCountry: 'OtpApprovedByCountry',
  /** The data-access side: subject exports, audit reads, refused authentication (401/403). */
  subjectExported: 'SubjectExported',
  auditRead: 'AuditListed',
  authRefused: 'AuthRefused',
  /** The provider took an SMS but its id could not be recorded: its receipt will not match (delivery/sent.ts). */
  sentUnrecorded: 'SmsSentUnrecorded',
  /** API 1.2, per channel (dimension `channel`): codes the provider took, and those it refused at send. */
  sentByChannel: 'CodeSentByChannel',
  refusedByChannel: 'CodeRefusedByChannel',
  /** Counted off the request path, by the approvals' reader (fraud/range-credit.ts). */
  approvedByChannel: 'OtpApprovedByChannel',
} as const;
export type SignalName = (typeof SIGNAL)[keyof typeof SIGNAL];

export interface Signals {
  count(name: SignalName, dimensions?: Record<string, string>): void;
}

