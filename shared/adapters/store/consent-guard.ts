import { ConsentCheckFailed, needsOptIn, type SendKind } from '../../consent/guard.ts';
import { RecipientOptedOut } from '../../errors.ts';
import { brakeGuard, type Guarded } from './rate-limit-ops.ts';

/**
 * Consent as a condition inside the send's own transaction: a STOP that lands concurrently can't
 * slip between the check and the write. The consent record (`CONSENT#<blind index>`) is written by
 * the consent API and inbound STOP/START; absent means no opt-in and no opt-out.
 */
export const consentKey = (phoneIndex: string) => ({ pk: `CONSENT#${phoneIndex}`, sk: 'CONSENT' });
/** A suppressed e-mail address (hard bounce, complaint), by its blind index: no subject key, so an erasure keeps it. */
export const suppressionKey = (emailIndex: string) => ({ pk: `SUPPRESS#EMAIL#${emailIndex}`, sk: 'SUPPRESS' });

/** An e-mail goes only to an address that is not suppressed; refused like an opt-out. */
function suppressionGuard(tableName: string, emailIndex: string): Guarded {
  return {
    ConditionCheck: { TableName: tableName, Key: suppressionKey(emailIndex), ConditionExpression: 'attribute_not_exists(pk)' },
    onConditionFailed: () => new RecipientOptedOut(),
  };
}

function consentGuard(tableName: string, phoneIndex: string, kind: SendKind, channel?: string): Guarded {
  const conditions = ['(attribute_not_exists(#all) OR #all = :false)'];
  const names: Record<string, string> = { '#all': 'optedOutAll' };
  if (kind === 'promotional') {
    conditions.push('#promo = :optedIn');
    names['#promo'] = 'promotional';
  }
  if (needsOptIn(channel)) {
    conditions.push('#wa = :optedIn');
    names['#wa'] = 'whatsapp';
  }
  return {
    ConditionCheck: {
      TableName: tableName,
      Key: consentKey(phoneIndex),
      ConditionExpression: conditions.join(' AND '),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: { ':false': false, ...(conditions.length > 1 ? { ':optedIn': 'opted_in' } : {}) },
    },
    // Which of them failed is decided by reading the record (rare path).
    onConditionFailed: () => new ConsentCheckFailed(kind, channel),
  };
}

/**
 * What every send passes inside its own transaction: the number's consent (on `channel`: WhatsApp
 * needs its own opt-in), then its country's brake.
 */
export const sendGuards = (tableName: string, q: { phoneIndex: string; country: string; kind: SendKind; nowMs: number; channel?: string; emailIndex?: string }): Guarded[] => [
  consentGuard(tableName, q.phoneIndex, q.kind, q.channel),
  ...(q.channel === 'email' && q.emailIndex ? [suppressionGuard(tableName, q.emailIndex)] : []),
  brakeGuard(tableName, q.country, q.nowMs),
];
