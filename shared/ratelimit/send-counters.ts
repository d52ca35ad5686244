import { hmac } from '../crypto/hmac.ts';
import type { SecretKeys } from '../crypto/secret-keys.ts';
import { destinationPrefix, type Phone } from '../phone/phone.ts';
import type { EndUserKeys } from './end-user.ts';
import { countersFor, failureCounters, type LimitCounter, type LimitRules } from './limits.ts';

/**
 * The windows one SMS send consumes, plus the number's failed-verification windows as checks (a
 * number under brute force gets no new codes until its window ends). One definition for every
 * sender: OTP issue and resend, messages, recipient open codes.
 */
export function sendCounters(
  deps: { keys: SecretKeys; limits: LimitRules },
  who: { phone: Phone; phoneIndex: string; clientId: string; endUser?: EndUserKeys },
  nowMs: number,
): LimitCounter[] {
  return [
    ...countersFor(
      deps.limits,
      {
        phoneIndex: who.phoneIndex,
        clientId: who.clientId,
        prefix: hmac(deps.keys.blindIndexKey, 'prefix', destinationPrefix(who.phone)),
        country: who.phone.country,
        // End-user windows count only what the app said (or, on the recipient's routes, the browser's address).
        ...(who.endUser?.ip ? { ip: who.endUser.ip } : {}),
        ...(who.endUser?.user ? { user: who.endUser.user } : {}),
      },
      nowMs,
    ),
    ...failureCounters(deps.limits, who.phoneIndex, nowMs).map((c) => ({ ...c, checkOnly: true })),
  ];
}
