import { ConsentRequired, RecipientOptedOut } from '../errors.ts';

/**
 * Consent rules every send obeys. The store checks them as a condition inside the send's own
 * transaction (adapters/store/consent-guard.ts), so a STOP that lands concurrently can't slip between.
 */
export type SendKind = 'otp' | 'transactional' | 'promotional';

/** Raised inside the transaction; the store resolves it to RecipientOptedOut or ConsentRequired. */
export class ConsentCheckFailed extends Error {
  /** `subjectIndex`: the consent record the condition read (the number's, or an e-mail's address's). */
  constructor(readonly subjectIndex: string, readonly kind: SendKind, readonly channel?: string) {
    super('Consent check failed');
    this.name = 'ConsentCheckFailed';
  }
}

export type ConsentState = { promotional?: 'opted_in' | 'opted_out'; optedOutAll?: boolean; whatsapp?: 'opted_in' | 'opted_out' };

/** Sends on WhatsApp need the number's recorded WhatsApp opt-in (Meta's rule), whatever they carry. */
export const needsOptIn = (channel: string | undefined) => channel === 'whatsapp';

export function consentError(state: ConsentState | undefined, kind: SendKind, channel?: string): Error {
  if (state?.optedOutAll) return new RecipientOptedOut();
  if (needsOptIn(channel) && state?.whatsapp !== 'opted_in') return new ConsentRequired('whatsapp');
  return kind === 'promotional' ? new ConsentRequired(channel === 'email' ? 'email' : undefined) : new RecipientOptedOut();
}
