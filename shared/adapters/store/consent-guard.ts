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

function consentGuard(tableName: string, subjectIndex: string, kind: SendKind, channel?: string): Guarded {
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
      Key: consentKey(subjectIndex),
      ConditionExpression: conditions.join(' AND '),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: { ':false': false, ...(conditions.length > 1 ? { ':optedIn': 'opted_in' } : {}) },
    },
    // Which of them failed is decided by reading the record (rare path).
    onConditionFailed: () => new ConsentCheckFailed(subjectIndex, kind, channel),
  };
}

/**
 * What every send passes inside its own transaction. To a phone: the number's consent (WhatsApp
 * needs its own opt-in), then its country's brake. By e-mail: the address's own consent (an SMS
 * STOP is about texts; promotional e-mail needs the address's opt-in) and its suppression; no
 * country brake (an address has no country, and pumping e-mail earns a fraudster nothing).
 */
export const sendGuards = (tableName: string, q: { phoneIndex: string; country: string; kind: SendKind; nowMs: number; channel?: string; emailIndex?: string }): Guarded[] =>
  q.channel === 'email'
    ? [consentGuard(tableName, required(q.emailIndex), q.kind, 'email'), suppressionGuard(tableName, required(q.emailIndex))]
    : [consentGuard(tableName, q.phoneIndex, q.kind, q.channel), brakeGuard(tableName, q.country, q.nowMs)];

function required(emailIndex: string | undefined): string {
  if (!emailIndex) throw new Error('An e-mail send names its address');
  return emailIndex;
}
