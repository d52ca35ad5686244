import { ConsentCheckFailed, type SendKind } from '../../consent/guard.ts';
import { brakeGuard, type Guarded } from './rate-limit-ops.ts';

/**
 * Consent as a condition inside the send's own transaction: a STOP that lands concurrently can't
 * slip between the check and the write. The consent record (`CONSENT#<blind index>`) is written by
 * the consent API and inbound STOP/START; absent means no opt-in and no opt-out.
 */
export const consentKey = (phoneIndex: string) => ({ pk: `CONSENT#${phoneIndex}`, sk: 'CONSENT' });

function consentGuard(tableName: string, phoneIndex: string, kind: SendKind): Guarded {
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

/** What every send passes inside its own transaction: the number's consent, then its country's brake. */
export const sendGuards = (tableName: string, q: { phoneIndex: string; country: string; kind: SendKind; nowMs: number }): Guarded[] => [
  consentGuard(tableName, q.phoneIndex, q.kind),
  brakeGuard(tableName, q.country, q.nowMs),
];
