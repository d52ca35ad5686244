import { ConsentRequired, RecipientOptedOut } from '../errors.ts';
import type { Guarded } from '../store/rate-limit-ops.ts';

/**
 * Consent as a condition inside the send's own transaction: a STOP that lands concurrently can't
 * slip between the check and the write. The consent record (`CONSENT#<blind index>`) is written by
 * the consent API and inbound STOP/START; absent means no opt-in and no opt-out.
 */
export type SendKind = 'otp' | 'transactional' | 'promotional';

export const consentKey = (phoneIndex: string) => ({ pk: `CONSENT#${phoneIndex}`, sk: 'CONSENT' });

export function consentGuard(tableName: string, phoneIndex: string, kind: SendKind): Guarded {
  const notOptedOut = '(attribute_not_exists(#all) OR #all = :false)';
  const promotional = kind === 'promotional';
  return {
    ConditionCheck: {
      TableName: tableName,
      Key: consentKey(phoneIndex),
      ConditionExpression: promotional ? `${notOptedOut} AND #promo = :optedIn` : notOptedOut,
      ExpressionAttributeNames: { '#all': 'optedOutAll', ...(promotional ? { '#promo': 'promotional' } : {}) },
      ExpressionAttributeValues: { ':false': false, ...(promotional ? { ':optedIn': 'opted_in' } : {}) },
    },
    // Which of the two failed is decided by reading the record (rare path).
    onConditionFailed: () => new ConsentCheckFailed(kind),
  };
}

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
