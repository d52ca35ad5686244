import { createHash } from 'node:crypto';

/**
 * Audit events, hash-chained per partition: each event carries the hash of the one before it in
 * its chain, so an edited, deleted or reordered event breaks the chain (audit/verify-chain.ts).
 * Events name the subject by its keyed blind index and its mask, never the number.
 */
export type AuditAction =
  | 'otp.issue' | 'otp.resend' | 'otp.verify' | 'otp.cancel'
  | 'message.send' | 'message.code' | 'message.open' | 'message.revoke' | 'message.expired'
  | 'consent.change' | 'inbound.receive' | 'subject.export' | 'subject.erase' | 'send.refused' | 'brake.trip' | 'brake.lift';

export type NewAuditEvent = {
  /** Client id, `recipient` or `system`. */
  actor: string;
  action: AuditAction;
  outcome: string;
  subjectIndex?: string;
  subjectMask?: string;
  /** The verification or message id the event is about. */
  resource?: string;
};

export type AuditEvent = NewAuditEvent & {
  chain: string;
  seq: number;
  id: string;
  at: string;
  prevHash: string;
  hash: string;
};

export const GENESIS_HASH = '0'.repeat(64);
export const AUDIT_CHAINS = 8;

/** Spreads writers over a few chains; one subject always lands in the same chain. */
export function chainOf(subjectIndex: string | undefined): string {
  const byte = createHash('sha256').update(subjectIndex ?? '').digest()[0]!;
  return `c${byte % AUDIT_CHAINS}`;
}

export function eventHash(e: Omit<AuditEvent, 'hash'>): string {
  const fields = [e.id, e.chain, e.seq, e.at, e.actor, e.action, e.outcome, e.subjectIndex ?? '', e.subjectMask ?? '', e.resource ?? '', e.prevHash];
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex');
}

/** The port: one event per action, appended to its chain. */
export interface AuditLog {
  append(event: NewAuditEvent): Promise<void>;
}
