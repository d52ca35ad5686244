import type { AuditTrail } from '../audit/event.ts';
import type { Envelope } from '../crypto/envelope.ts';
import { hmac } from '../crypto/hmac.ts';
import { newId } from '../crypto/ids.ts';
import type { SecretKeys } from '../crypto/secret-keys.ts';
import { ValidationFailed } from '../errors.ts';
import { maskPhone, parsePhone } from '../phone/phone.ts';
import type { ConsentChange, ConsentStore } from './store.ts';
import type { Person, PutConsentRequest } from './schemas.ts';
import { emailIndex, maskEmail, parseEmail } from '../email/address.ts';

/**
 * Consent per number (keyed by its blind index), every change kept. An opt-out of `all` (the API or
 * a STOP) stops every SMS, OTPs included, until the person opts back in (START or `all` opted_in),
 * as SNS and the carriers do. A promotional opt-in does not lift an opt-out of all.
 */
export type ConsentDeps = { store: ConsentStore; envelope: Envelope; keys: SecretKeys; audit: AuditTrail; now: () => number };

export const evidenceContext = (changeId: string) => ({ app: 'sealtext' as const, purpose: 'consent-evidence', record: changeId });

export function phoneIdentity(keys: Pick<SecretKeys, 'blindIndexKey'>, to: string, field = 'to') {
  const phone = parsePhone(to);
  if (!phone) throw new ValidationFailed([{ path: field, message: 'Not a valid phone number' }]);
  return { e164: phone.e164, phoneIndex: hmac(keys.blindIndexKey, 'phone', phone.e164), mask: maskPhone(phone.e164) };
}

/** An address, by its blind index and its mask (API 1.2): what e-mail consent, export and erasure are keyed by. */
function emailIdentity(keys: Pick<SecretKeys, 'blindIndexKey'>, email: string, field = 'email') {
  const parsed = parseEmail(email);
  if (!parsed.ok) throw new ValidationFailed([{ path: field, message: parsed.reason }]);
  return { address: parsed.email.address, index: emailIndex(keys.blindIndexKey, parsed.email), mask: maskEmail(parsed.email) };
}

/** A number or an address, as the blind index its records are filed under. */
export function personIdentity(keys: Pick<SecretKeys, 'blindIndexKey'>, person: Person) {
  if (person.email) {
    const e = emailIdentity(keys, person.email);
    return { kind: 'email' as const, index: e.index, mask: e.mask, shown: e.address };
  }
  const p = phoneIdentity(keys, person.to ?? '');
  return { kind: 'phone' as const, index: p.phoneIndex, mask: p.mask, shown: p.e164 };
}

export async function recordConsent(deps: ConsentDeps, actor: string, input: Omit<PutConsentRequest, 'to' | 'email'> & { phoneIndex: string; mask?: string }) {
  const whatsapp = input.channel === 'whatsapp';
  const email = input.channel === 'email';
  // Meta's opt-in covers every WhatsApp message from the business; there is no promotional-only one.
  if (whatsapp && input.category !== 'all') throw new ValidationFailed([{ path: 'category', message: 'A WhatsApp opt-in or opt-out covers every WhatsApp message: use category all' }]);
  const id = newId();
  const change: ConsentChange = {
    id,
    at: deps.now(),
    actor,
    source: input.source,
    category: input.category,
    status: input.status,
    ...(whatsapp ? { channel: 'whatsapp' as const } : email ? { channel: 'email' as const } : {}),
    ...(input.textVersion ? { textVersion: input.textVersion } : {}),
    ...(input.evidence ? { sealedEvidence: await deps.envelope.seal(input.evidence, evidenceContext(id)) } : {}),
  };
  await deps.store.apply(input.phoneIndex, change, { actor, action: 'consent.change', outcome: `${whatsapp ? 'whatsapp' : email ? `email:${input.category}` : input.category}:${input.status}`, subjectIndex: input.phoneIndex, ...(input.mask ? { subjectMask: input.mask } : {}) });
  return change;
}

export async function putConsent(deps: ConsentDeps, clientId: string, input: PutConsentRequest) {
  const who = personIdentity(deps.keys, input);
  const { to: _to, email: _email, ...change } = input;
  await recordConsent(deps, clientId, { ...change, phoneIndex: who.index, mask: who.mask });
  return getConsents(deps, input);
}

/** A number's consent (SMS, and its WhatsApp opt-in), or an address's (API 1.2: its e-mail consent). */
export async function getConsents(deps: Pick<ConsentDeps, 'store' | 'envelope' | 'keys'>, person: Person) {
  const who = personIdentity(deps.keys, person);
  const { state, history } = await deps.store.read(who.index);
  const iso = (ms?: number) => (ms === undefined ? undefined : new Date(ms).toISOString());
  const latest = Math.max(state?.promotionalUpdatedAt ?? 0, state?.optedOutAllUpdatedAt ?? 0);
  const channels = who.kind === 'email'
    ? {
      // The address's e-mail opt-in: promotional e-mail needs it; an opt-out of every e-mail ends it.
      email: {
        status: state?.optedOutAll ? ('opted_out' as const) : (state?.promotional ?? ('none' as const)),
        ...(latest ? { updatedAt: iso(latest) } : {}),
        ...(state?.promotionalSource ? { source: state.promotionalSource } : {}),
      },
    }
    : {
      whatsapp: {
        status: state?.whatsapp ?? ('none' as const),
        ...(state?.whatsappUpdatedAt ? { updatedAt: iso(state.whatsappUpdatedAt) } : {}),
        ...(state?.whatsappSource ? { source: state.whatsappSource } : {}),
      },
    };
  return {
    ...(who.kind === 'email' ? { email: who.mask } : { to: who.mask }),
    promotional: {
      status: state?.promotional ?? ('none' as const),
      ...(state?.promotionalUpdatedAt ? { updatedAt: iso(state.promotionalUpdatedAt) } : {}),
      ...(state?.promotionalSource ? { source: state.promotionalSource } : {}),
    },
    optedOutAll: state?.optedOutAll ?? false,
    channels,
    history: await Promise.all(
      history.map(async (h) => ({
        at: iso(h.at)!,
        actor: h.actor,
        source: h.source,
        category: h.category,
        status: h.status,
        ...(h.channel ? { channel: h.channel } : {}),
        ...(h.textVersion ? { textVersion: h.textVersion } : {}),
        ...(h.sealedEvidence ? { evidence: await deps.envelope.open(h.sealedEvidence, evidenceContext(h.id)) } : {}),
      })),
    ),
  };
}
