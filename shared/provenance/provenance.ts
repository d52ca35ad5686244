import { hmac } from '../crypto/hmac.ts';
import type { SecretKeys } from '../crypto/secret-keys.ts';
import { personIdentity } from '../consent/consent.ts';
import type { NewAuditEvent } from '../audit/event.ts';
import { counter, type LimitCounter, type LimitRules } from '../ratelimit/limits.ts';

/**
 * Provenance: was this exact SMS, to this number, sent by this service? A customer forwards a
 * suspicious text and support answers in one call. Only a keyed hash of number and text is kept
 * (with the blind-index key: useless without it, and the text itself is never stored), written in
 * the same transaction as the send it records, so a text is findable exactly when it was committed.
 * A code's text is hashed with its code masked: the code must never be recoverable from what is
 * kept, and a forwarded code proves nothing the masked text does not.
 */
export type SentRecord = { kind: 'otp' | 'message'; id: string; clientId: string; sentAt: number; templateId?: string };
/** One sent text as the store keeps it: its hash, the number's blind index (erasure finds it) and what sent it. */
export type SentText = { hash: string; phoneIndex: string; record: SentRecord };

/**
 * A forwarded text arrives re-wrapped: line endings, spaces at line ends, composed or decomposed
 * accents and an empty line at the end differ. None of that changes what was said; everything
 * else (digits, words, the link) must match exactly.
 */
export function normaliseText(text: string): string {
  return text
    .normalize('NFC')
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.replace(/[ \t\u00a0]+/g, ' ').trim())
    .join('\n')
    .trim();
}

/** Codes are 6 to 10 digits (otp/schemas.ts): every such run of digits is masked, when kept and when looked up. */
export const maskCodes = (text: string) => text.replace(/(?<!\d)\d{6,10}(?!\d)/g, '#');

/**
 * Who a text went to, as its hash is keyed: the E.164 number, or (API 1.2) an address, case-folded
 * and labelled so no address can ever equal a number. An e-mail is kept by its plain-text part.
 */
export const emailRecipient = (address: string) => `email:${address.toLowerCase()}`;

export const provenanceHash = (keys: Pick<SecretKeys, 'blindIndexKey'>, e164: string, text: string) => hmac(keys.blindIndexKey, 'provenance', e164, normaliseText(text));
/** A code message's hash: another label, so a masked code text never matches a message's text. */
export const codeProvenanceHash = (keys: Pick<SecretKeys, 'blindIndexKey'>, e164: string, text: string) =>
  hmac(keys.blindIndexKey, 'provenance-code', e164, maskCodes(normaliseText(text)));

export const sentText = (keys: Pick<SecretKeys, 'blindIndexKey'>, e164: string, phoneIndex: string, text: string, record: SentRecord): SentText => ({
  hash: (record.kind === 'otp' ? codeProvenanceHash : provenanceHash)(keys, e164, text), phoneIndex, record,
});

/** The port (adapters/store/provenance-store.ts). */
export interface ProvenanceStore {
  /** The latest send of a hash, if any. */
  latest(hash: string): Promise<SentRecord | undefined>;
  /** One look-up against the client's `provenance` window, with its audit event; RateLimited when full. */
  recordLookup(window: LimitCounter, event: NewAuditEvent): Promise<void>;
}

export type ProvenanceDeps = { provenance: ProvenanceStore; keys: Pick<SecretKeys, 'blindIndexKey'>; limits: LimitRules; now: () => number };

/**
 * POST /v1/provenance. The text is looked up as a message's and as a code's (whatever code it
 * carries); the look-up counts in the client's window and is audited in one transaction, and
 * nothing is answered unless that commits.
 */
export async function checkProvenance(deps: ProvenanceDeps, clientId: string, input: { to?: string | undefined; email?: string | undefined; text: string }) {
  const who = personIdentity(deps.keys, input);
  const recipient = who.kind === 'email' ? emailRecipient(who.shown) : who.shown;
  const now = deps.now();
  const found = (await Promise.all([
    deps.provenance.latest(provenanceHash(deps.keys, recipient, input.text)),
    deps.provenance.latest(codeProvenanceHash(deps.keys, recipient, input.text)),
  ])).filter((r) => r !== undefined).sort((x, y) => y.sentAt - x.sentAt)[0];
  await deps.provenance.recordLookup(counter(deps.limits, 'provenance', clientId, now), {
    actor: clientId, action: 'provenance.check', outcome: found ? 'sent_by_us' : 'not_ours',
    subjectIndex: who.index, subjectMask: who.mask, ...(found ? { resource: found.id } : {}),
  });
  if (!found) return { sentByUs: false as const };
  return {
    sentByUs: true as const, kind: found.kind, id: found.id, sentAt: new Date(found.sentAt).toISOString(), clientId: found.clientId,
    ...(found.templateId ? { templateId: found.templateId } : {}),
  };
}
