import type { AuditTrail } from '../audit/event.ts';
import type { Envelope } from '../crypto/envelope.ts';
import { hmac } from '../crypto/hmac.ts';
import { newId } from '../crypto/ids.ts';
import type { SecretKeys } from '../crypto/secret-keys.ts';
import { ValidationFailed } from '../errors.ts';
import { maskPhone, parsePhone } from '../phone/phone.ts';
import type { ConsentChange, ConsentStore } from './store.ts';
import type { PutConsentRequest } from './schemas.ts';

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

export async function recordConsent(deps: ConsentDeps, actor: string, input: Omit<PutConsentRequest, 'to'> & { phoneIndex: string; mask: string }) {
  const whatsapp = input.channel === 'whatsapp';
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
    ...(whatsapp ? { channel: 'whatsapp' as const } : {}),
    ...(input.textVersion ? { textVersion: input.textVersion } : {}),
    ...(input.evidence ? { sealedEvidence: await deps.envelope.seal(input.evidence, evidenceContext(id)) } : {}),
  };
  await deps.store.apply(input.phoneIndex, change, { actor, action: 'consent.change', outcome: `${whatsapp ? 'whatsapp' : input.category}:${input.status}`, subjectIndex: input.phoneIndex, subjectMask: input.mask });
  return change;
}

export async function putConsent(deps: ConsentDeps, clientId: string, input: PutConsentRequest) {
  const who = phoneIdentity(deps.keys, input.to);
  await recordConsent(deps, clientId, { ...input, phoneIndex: who.phoneIndex, mask: who.mask });
  return getConsents(deps, input.to);
}

export async function getConsents(deps: Pick<ConsentDeps, 'store' | 'envelope' | 'keys'>, to: string) {
  const who = phoneIdentity(deps.keys, to);
  const { state, history } = await deps.store.read(who.phoneIndex);
  const iso = (ms?: number) => (ms === undefined ? undefined : new Date(ms).toISOString());
  return {
    to: who.mask,
    promotional: {
      status: state?.promotional ?? ('none' as const),
      ...(state?.promotionalUpdatedAt ? { updatedAt: iso(state.promotionalUpdatedAt) } : {}),
      ...(state?.promotionalSource ? { source: state.promotionalSource } : {}),
    },
    optedOutAll: state?.optedOutAll ?? false,
    channels: {
      whatsapp: {
        status: state?.whatsapp ?? ('none' as const),
        ...(state?.whatsappUpdatedAt ? { updatedAt: iso(state.whatsappUpdatedAt) } : {}),
        ...(state?.whatsappSource ? { source: state.whatsappSource } : {}),
      },
    },
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
