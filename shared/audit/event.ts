import { createHash } from 'node:crypto';

/**
 * Audit events. Each accepted action writes exactly one, in the same DynamoDB transaction as the
 * state change it records (the stores take it as an argument), so there is never an action without
 * its event nor an event without its action. No event links to another at write time: integrity
 * is added off the request path by the sealer (audit/sealer.ts), so writers share no item.
 * Events name the subject by its keyed blind index and its mask, never the number.
 */
type AuditAction =
  | 'otp.issue' | 'otp.resend' | 'otp.verify' | 'otp.cancel' | 'otp.failed' | 'otp.fallback' | 'otp.step'
  | 'otp.expired'
  | 'message.send' | 'message.code' | 'message.open' | 'message.revoke' | 'message.expired' | 'message.failed'
  | 'delivery.receipt' | 'webhook.change' | 'template.change' | 'archive.read'
  | 'consent.change' | 'inbound.receive' | 'subject.export' | 'subject.erase' | 'send.refused' | 'fraud.block' | 'fraud.unblock'
  | 'provenance.check' | 'email.suppress';

export type NewAuditEvent = {
  /** Client id, `recipient`, `system` or `ops`. */
  actor: string;
  action: AuditAction;
  outcome: string;
  subjectIndex?: string;
  subjectMask?: string;
  /** The verification or message id the event is about. */
  resource?: string;
  /**
   * The client whose verification or message this is, where the actor is someone else (the
   * recipient, the system): the events feed (events/) tells each client only its own.
   */
  owner?: string;
};

export type AuditEvent = NewAuditEvent & {
  id: string;
  /** ISO 8601 with milliseconds, from the writer's server clock. */
  at: string;
  /** sha256 over the event's fields (eventHash); the sealer seals this value. */
  hash: string;
};

/** The event's position in the trail: time order, ties broken by id. The canonical order of a seal. */
export const eventKey = (e: Pick<AuditEvent, 'at' | 'id'>) => `${e.at}#${e.id}`;

export function eventHash(e: Omit<AuditEvent, 'hash'>): string {
  const fields = [e.id, e.at, e.actor, e.action, e.outcome, e.subjectIndex ?? '', e.subjectMask ?? '', e.resource ?? ''];
  // Appended only when present, so events written before `owner` existed keep their hashes.
  if (e.owner !== undefined) fields.push(e.owner);
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex');
}

/**
 * The port for events that go with no state change of ours (a refusal, an export, an observed
 * expiry): one write of the event alone. Events of state changes ride in the store's transaction.
 */
export interface AuditTrail {
  record(event: NewAuditEvent): Promise<void>;
}
