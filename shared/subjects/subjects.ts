import type { AuditTrail } from '../audit/event.ts';
import { evidenceContext, personIdentity } from '../consent/consent.ts';
import type { Person } from '../consent/schemas.ts';
import type { Envelope } from '../crypto/envelope.ts';
import type { SecretKeys } from '../crypto/secret-keys.ts';
import { inboundContext } from '../inbound/receive.ts';
import { bodyContext, recipientContext } from '../messages/message.ts';
import { deliveryContext } from '../otp/delivery.ts';
import type { SubjectItem, SubjectStore } from './store.ts';

/**
 * Data-subject rights for one number or (API 1.2) one address: export everything held about it,
 * decrypted; erase it all but an opt-out, which survives as a suppression entry keyed by the blind
 * index (so the person is not texted or mailed again; an address's bounce or complaint suppression
 * has no subject key and is never erased). Audit events keep the blind index and the mask only, and
 * are not erased.
 */
export type SubjectDeps = { subjects: SubjectStore; envelope: Envelope; keys: SecretKeys; audit: AuditTrail; now: () => number };

const kindOf = (item: SubjectItem) => item.pk.split('#')[0]!;
const iso = (ms: unknown) => (typeof ms === 'number' ? new Date(ms).toISOString() : undefined);

export async function exportSubject(deps: SubjectDeps, clientId: string, person: Person) {
  const who = personIdentity(deps.keys, person);
  const items = await deps.subjects.items(who.index);
  const open = (sealed: unknown, context: Parameters<Envelope['open']>[1]) =>
    typeof sealed === 'string' ? deps.envelope.open(sealed, context) : Promise.resolve(undefined);
  const out = { ...(who.kind === 'email' ? { email: who.shown } : { phone: who.shown }), verifications: [] as unknown[], messages: [] as unknown[], inboundMessages: [] as unknown[], consent: undefined as unknown, consentHistory: [] as unknown[] };
  for (const item of items) {
    switch (kindOf(item)) {
      case 'OTP': {
        const delivery = JSON.parse((await open(item.sealedDelivery, deliveryContext(String(item.id)))) ?? '{}') as Record<string, unknown>;
        out.verifications.push({ id: item.id, status: item.status, purpose: item.purpose, createdAt: iso(item.createdAt), expiresAt: iso(item.expiresAt), sentTo: delivery.to, sentToEmail: delivery.email, transaction: delivery.transaction });
        break;
      }
      case 'MSG':
        out.messages.push({
          id: item.id, status: item.status, category: item.category, delivery: item.delivery, createdAt: iso(item.createdAt), expiresAt: iso(item.expiresAt),
          openedAt: iso(item.openedAt), revokedAt: iso(item.revokedAt),
          sentTo: await open(item.sealedRecipient, recipientContext(String(item.id))),
          ...(typeof item.sealedEmail === 'string' ? { sentToEmail: await open(item.sealedEmail, recipientContext(String(item.id))) } : {}),
          body: await open(item.sealedBody, bodyContext(String(item.id))),
        });
        break;
      case 'INBOUND':
        out.inboundMessages.push({ id: item.id, receivedAt: iso(item.receivedAt), body: await open(item.sealedBody, inboundContext(String(item.id))) });
        break;
      case 'CONSENT':
        out.consent = { promotional: item.promotional ?? 'none', optedOutAll: item.optedOutAll ?? false, suppressed: item.suppressed ?? false };
        break;
      case 'CONSENTLOG':
        out.consentHistory.push({ at: iso(item.at), actor: item.actor, source: item.source, category: item.category, status: item.status, channel: item.channel, textVersion: item.textVersion, evidence: await open(item.sealedEvidence, evidenceContext(String(item.id))) });
        break;
    }
  }
  // A read: the event is its only write.
  await deps.audit.record({ actor: clientId, action: 'subject.export', outcome: `items:${items.length}`, subjectIndex: who.index, subjectMask: who.mask });
  return out;
}

export async function eraseSubject(deps: SubjectDeps, clientId: string, person: Person) {
  const who = personIdentity(deps.keys, person);
  const items = await deps.subjects.items(who.index);
  const count = (kind: string) => items.filter((i) => kindOf(i) === kind).length;
  const consent = items.find((i) => kindOf(i) === 'CONSENT');
  const keepSuppression = consent?.optedOutAll === true;
  await deps.subjects.erase(who.index, items, keepSuppression, deps.now(), {
    actor: clientId, action: 'subject.erase', outcome: `erased:${items.length}`, subjectIndex: who.index, subjectMask: who.mask,
  });
  const erased = {
    verifications: count('OTP'),
    messages: count('MSG'),
    inboundMessages: count('INBOUND'),
    consentRecords: count('CONSENT') + count('CONSENTLOG'),
  };
  // Messages under legal retention stay in the archive (messages/archive.ts): erasure says which, and until when.
  const now = deps.now();
  const retained = items
    .filter((i) => kindOf(i) === 'MSG' && typeof i.archivedUntil === 'number' && i.archivedUntil > now)
    .map((i) => ({ messageId: String(i.id), until: new Date(i.archivedUntil as number).toISOString() }));
  return { erased, suppressionKept: keepSuppression, retained };
}
