import type { AuditLog } from '../audit/event.ts';
import type { Envelope } from '../crypto/envelope.ts';
import type { Signals } from '../fraud/signals.ts';
import type { ConsentStore } from '../store/consent-store.ts';
import type { SecretKeys } from '../crypto/secret-keys.ts';
import type { LimitRules } from '../ratelimit/limits.ts';
import type { SmsSender } from '../sms/sender.ts';
import type { VerificationStore } from '../store/verification-store.ts';

/** What the OTP operations need from the outside world; wired in shared/runtime.ts, faked in tests. */
export type OtpDeps = {
  store: VerificationStore;
  envelope: Envelope;
  keys: SecretKeys;
  sms: SmsSender;
  audit: AuditLog;
  /** Written when the carrier reports an opt-out we had not seen. */
  consent: ConsentStore;
  limits: LimitRules;
  /** Fraud signals (metrics) the alarms watch. */
  signals: Signals;
  allowedCountries: ReadonlySet<string>;
  webDomain?: string;
  now: () => number;
};
