import type { AuditEvent } from '../audit/event.ts';
import { SCOPES } from '../http/scopes.ts';
import { fallbackOfOutcome } from '../channels/workflow.ts';

/**
 * The events calling apps receive, as CloudEvents 1.0. Each is derived from one committed audit
 * event (the outbox: the audit item is written in the action's own transaction, and the audit
 * table's stream feeds the publisher), so no event is announced for an action that did not commit
 * and none is lost for one that did. `data` names the resource and the masked number only.
 */
export const EVENT_TYPES = [
  'verification.pending', 'verification.approved', 'verification.canceled', 'verification.expired', 'verification.max_attempts_reached', 'verification.failed',
  'verification.fallback',
  'message.sent', 'message.opened', 'message.expired', 'message.revoked', 'message.failed',
  'delivery.delivered', 'delivery.failed',
  'consent.changed', 'inbound.received',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export type CloudEvent = {
  specversion: '1.0';
  /** The audit event's id: stable across retries and duplicates. */
  id: string;
  type: EventType;
  source: 'sealtext';
  /** The verification, message or inbound text the event is about. */
  subject?: string;
  time: string;
  datacontenttype: 'application/json';
  data: Record<string, string>;
};

/**
 * Who may see an event: the client whose verification or message it is, or every client holding a
 * scope (consent and inbound texts concern the business's numbers, not one client's records).
 */
export type Audience = { client: string } | { scope: typeof SCOPES.consentRead | typeof SCOPES.inboundRead };
export const audienceKey = (a: Audience) => ('client' in a ? `client:${a.client}` : `scope:${a.scope}`);

type Mapped = { type: EventType; data?: Record<string, string> };

/** The audit action and outcome that announce each event; everything else (refusals, reads, observed expiries) announces nothing. */
function mapEvent(e: AuditEvent): Mapped | undefined {
  switch (e.action) {
    case 'otp.issue':
    case 'otp.resend':
      return e.outcome === 'pending' ? { type: 'verification.pending', ...(e.action === 'otp.resend' ? { data: { resend: 'true' } } : {}) } : undefined;
    case 'otp.verify':
      if (e.outcome === 'approved') return { type: 'verification.approved' };
      if (e.outcome === 'max_attempts_reached') return { type: 'verification.max_attempts_reached' };
      return undefined;
    case 'otp.cancel':
      return { type: 'verification.canceled' };
    case 'otp.expired':
      return { type: 'verification.expired' };
    case 'otp.failed':
      return { type: 'verification.failed', data: { reason: e.outcome } };
    case 'otp.fallback': {
      // A refused move (`refused:<code>`) announces nothing: the step in use stays as it was.
      const move = fallbackOfOutcome(e.outcome);
      return move ? { type: 'verification.fallback', data: move } : undefined;
    }
    case 'message.send':
      return { type: 'message.sent' };
    case 'message.open':
      return e.outcome === 'opened' || e.outcome === 'opened_burned' ? { type: 'message.opened', data: { burned: String(e.outcome === 'opened_burned') } } : undefined;
    case 'message.expired':
      // Recorded once, by the sweep or by the first request that found the link expired; `observed`
      // is what older trails hold for every such request, and announces nothing.
      return e.outcome === 'expired' ? { type: 'message.expired' } : undefined;
    case 'message.revoke':
      return { type: 'message.revoked' };
    case 'message.failed':
      return { type: 'message.failed', data: { reason: e.outcome } };
    case 'delivery.receipt': {
      // `<status>[:<errorCode>[:<channel>]]`: trails from before 1.2 name no channel (SMS then).
      const [status, errorCode, channel] = e.outcome.split(':');
      const via = { channel: channel || 'sms' };
      if (status === 'delivered') return { type: 'delivery.delivered', data: via };
      if (status === 'failed') return { type: 'delivery.failed', data: { errorCode: errorCode || 'provider_error', ...via } };
      return undefined;
    }
    case 'consent.change': {
      // `whatsapp:<status>` is a WhatsApp opt-in or opt-out (API 1.2), which covers all of WhatsApp;
      // `email:<category>:<status>` an address's e-mail consent.
      const [first, second, third] = e.outcome.split(':');
      if (first === 'whatsapp') return { type: 'consent.changed', data: { channel: 'whatsapp', category: 'all', status: second ?? '' } };
      if (first === 'email') return { type: 'consent.changed', data: { channel: 'email', category: second ?? '', status: third ?? '' } };
      return { type: 'consent.changed', data: { category: first ?? '', status: second ?? '' } };
    }
    case 'inbound.receive':
      return e.outcome === 'stored' ? { type: 'inbound.received' } : undefined;
    default:
      return undefined;
  }
}

const RESOURCE_FIELD: Record<string, string> = { verification: 'verificationId', message: 'messageId', inbound: 'inboundId' };
/** A receipt is about a verification (ids of 32 characters, otp/verification.ts) or a message (22). */
const resourceField = (family: string, id: string) => (family === 'delivery' ? (id.length === 32 ? 'verificationId' : 'messageId') : (RESOURCE_FIELD[family] ?? 'resourceId'));

/**
 * The CloudEvent an audit event announces, and who may see it; undefined if it announces nothing.
 * `mask` is the number's mask when the audit event does not carry it (a right code reads nothing).
 */
export function toCloudEvent(e: AuditEvent, mask?: string): { audience: Audience; event: CloudEvent } | undefined {
  const mapped = mapEvent(e);
  if (!mapped) return undefined;
  const family = mapped.type.split('.')[0]!;
  let audience: Audience;
  if (family === 'consent') audience = { scope: SCOPES.consentRead };
  else if (family === 'inbound') audience = { scope: SCOPES.inboundRead };
  else {
    const owner = e.owner ?? (isClientActor(e.actor) ? e.actor : undefined);
    if (!owner) return undefined;
    audience = { client: owner };
  }
  const to = e.subjectMask ?? mask;
  const data: Record<string, string> = {
    ...(e.resource && family !== 'consent' ? { [resourceField(family, e.resource)]: e.resource } : {}),
    ...(to ? { [family === 'inbound' ? 'from' : 'to']: to } : {}),
    ...mapped.data,
  };
  return {
    audience,
    event: {
      specversion: '1.0', id: e.id, type: mapped.type, source: 'sealtext', ...(e.resource ? { subject: e.resource } : {}), time: e.at,
      datacontenttype: 'application/json', data,
    },
  };
}

const NON_CLIENT_ACTORS = new Set(['recipient', 'system', 'ops']);
const isClientActor = (actor: string) => !NON_CLIENT_ACTORS.has(actor);

/**
 * A webhook's or a poller's type filter: exact types, `family.*`, or `*`. Patterns are checked
 * against the known families when a webhook is saved (webhooks/webhook.ts).
 */
export function matchesTypes(type: EventType, patterns: readonly string[]): boolean {
  return patterns.some((p) => p === '*' || p === type || (p.endsWith('.*') && type.startsWith(p.slice(0, -1))));
}
const TYPE_PATTERN = /^(\*|(verification|message|delivery|consent|inbound)\.(\*|[a-z_]+))$/;
export const isKnownPattern = (p: string) => TYPE_PATTERN.test(p) && (p === '*' || p.endsWith('.*') || (EVENT_TYPES as readonly string[]).includes(p));
