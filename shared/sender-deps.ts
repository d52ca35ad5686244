import type { AuditTrail } from './audit/event.ts';
import type { Envelope } from './crypto/envelope.ts';
import type { SecretKeys } from './crypto/secret-keys.ts';
import type { Signals } from './fraud/signals.ts';
import type { LimitRules } from './ratelimit/limits.ts';
import type { SmsSender } from './sms/sender.ts';
import type { ConsentStore } from './consent/store.ts';

/** What every operation that texts someone needs (OTPs and messages alike). */
export type SenderDeps = {
  envelope: Envelope;
  keys: SecretKeys;
  sms: SmsSender;
  /** Events that go with no write of ours (refusals); the rest ride in the stores' transactions. */
  audit: AuditTrail;
  /** Written when the carrier reports an opt-out we had not seen. */
  consent: ConsentStore;
  limits: LimitRules;
  /** Fraud signals (metrics) the alarms watch. */
  signals: Signals;
  allowedCountries: ReadonlySet<string>;
  now: () => number;
};
