import { hmac } from '../crypto/hmac.ts';
import type { SecretKeys } from '../crypto/secret-keys.ts';
import { phoneIdentity } from '../consent/consent.ts';

/**
 * Provenance: was this exact SMS, to this number, sent by this service? A customer forwards a
 * suspicious text and support answers in one call. Only a keyed hash of number and text is kept
 * (with the blind-index key: useless without it, and the text itself is never stored), written in
 * the same transaction as the send it records, so a text is findable exactly when it was committed.
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

export const provenanceHash = (keys: Pick<SecretKeys, 'blindIndexKey'>, e164: string, text: string) => hmac(keys.blindIndexKey, 'provenance', e164, normaliseText(text));

export const sentText = (keys: Pick<SecretKeys, 'blindIndexKey'>, e164: string, phoneIndex: string, text: string, record: SentRecord): SentText => ({
  hash: provenanceHash(keys, e164, text), phoneIndex, record,
});

/** The port (store/provenance-store.ts): the latest send of a hash, if any. */
export interface ProvenanceStore {
  latest(hash: string): Promise<SentRecord | undefined>;
}

export async function checkProvenance(deps: { provenance: ProvenanceStore; keys: SecretKeys }, input: { to: string; text: string }) {
  const who = phoneIdentity(deps.keys, input.to);
  const found = await deps.provenance.latest(provenanceHash(deps.keys, who.e164, input.text));
  if (!found) return { sentByUs: false as const };
  return {
    sentByUs: true as const, kind: found.kind, id: found.id, sentAt: new Date(found.sentAt).toISOString(), clientId: found.clientId,
    ...(found.templateId ? { templateId: found.templateId } : {}),
  };
}
