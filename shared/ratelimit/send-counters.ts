import { hmac } from '../crypto/hmac.ts';
import type { SecretKeys } from '../crypto/secret-keys.ts';
import { destinationPrefix, type Phone } from '../phone/phone.ts';
import type { EndUserKeys } from './end-user.ts';
import { emailDomainIndex, emailIndex, type EmailAddress } from '../email/address.ts';
import { countersFor, failureCounters, type LimitCounter, type LimitRules } from './limits.ts';

/**
 * The windows one send consumes, plus the number's failed-verification windows as checks (a
 * number under brute force gets no new codes until its window ends). One definition for every
 * sender: OTP issue and resend, messages, recipient open codes.
 */
export function sendCounters(
  deps: { keys: SecretKeys; limits: LimitRules },
  who: { phone?: Phone; phoneIndex: string; clientId: string; endUser?: EndUserKeys; email?: EmailAddress },
  nowMs: number,
): LimitCounter[] {
  // End-user windows count only what the app said (or, on the recipient's routes, the browser's address).
  const endUser = { ...(who.endUser?.ip ? { ip: who.endUser.ip } : {}), ...(who.endUser?.user ? { user: who.endUser.user } : {}) };
  // An e-mail counts in the address's and its domain's windows; the number's, its prefix's and its
  // country's are for what goes to the phone (API 1.2 "Limits").
  const destination = who.email
    ? { emailIndex: emailIndex(deps.keys.blindIndexKey, who.email), emailDomain: emailDomainIndex(deps.keys.blindIndexKey, who.email) }
    : phoneWindows(deps.keys, who.phoneIndex, who.phone);
  return [
    ...countersFor(deps.limits, { clientId: who.clientId, ...destination, ...endUser }, nowMs),
    // The number's failed-verification windows as checks: a code for a number under brute force goes nowhere.
    ...failureCounters(deps.limits, who.phoneIndex, nowMs).map((c) => ({ ...c, checkOnly: true })),
  ];
}

function phoneWindows(keys: SecretKeys, phoneIndex: string, phone: Phone | undefined) {
  if (!phone) throw new Error('A send to a phone names the phone');
  return { phoneIndex, prefix: hmac(keys.blindIndexKey, 'prefix', destinationPrefix(phone)), country: phone.country };
}
