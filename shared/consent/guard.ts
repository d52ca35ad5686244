import { ConsentRequired, RecipientOptedOut } from '../errors.ts';

/**
 * Consent rules every send obeys. The store checks them as a condition inside the send's own
 * transaction (adapters/store/consent-guard.ts), so a STOP that lands concurrently can't slip between.
 */
export type SendKind = 'otp' | 'transactional' | 'promotional';

/** Raised inside the transaction; the store resolves it to RecipientOptedOut or ConsentRequired. */
export class ConsentCheckFailed extends Error {
  constructor(readonly kind: SendKind) {
    super('Consent check failed');
    this.name = 'ConsentCheckFailed';
  }
}

export type ConsentState = { promotional?: 'opted_in' | 'opted_out'; optedOutAll?: boolean };

export function consentError(state: ConsentState | undefined, kind: SendKind): Error {
  if (state?.optedOutAll) return new RecipientOptedOut();
  return kind === 'promotional' ? new ConsentRequired() : new RecipientOptedOut();
}
