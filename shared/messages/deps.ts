import type { AuditLog } from '../audit/event.ts';
import type { Envelope } from '../crypto/envelope.ts';
import type { Signals } from '../fraud/signals.ts';
import type { SecretKeys } from '../crypto/secret-keys.ts';
import type { LimitRules } from '../ratelimit/limits.ts';
import type { SmsSender } from '../sms/sender.ts';
import type { ConsentStore } from '../store/consent-store.ts';
import type { MessageStore } from '../store/message-store.ts';

export type MessageDeps = {
  store: MessageStore;
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
  /** Where the recipient page is served, e.g. https://api.example.com/prod */
  publicBaseUrl: string;
  now: () => number;
};
