import type { SenderDeps } from '../sender-deps.ts';
import type { FraudStore } from '../fraud/blocks.ts';
import type { EmailSender, ManagedCodeSender, VoiceSender, WhatsAppSender } from '../channels/senders.ts';
import type { VerificationStore } from './store.ts';

/** What the OTP operations need from the outside world; wired in shared/wiring/runtime.ts, faked in tests. */
export type OtpDeps = SenderDeps & {
  store: VerificationStore;
  /** Range blocks and trust (fraud/ranges.ts). */
  fraud: FraudStore;
  webDomain?: string;
  /** Voice calls, where the deployment configures them (API 1.2 `channel: "voice"`); absent: `channel_unavailable`. */
  voice?: VoiceSender;
  /**
   * WhatsApp, where the deployment links a number (API 1.2): the sender, and the prefix of the
   * approved authentication templates, one per locale (`<prefix>_<locale>`).
   */
  whatsapp?: { sender: WhatsAppSender; templatePrefix: string };
  /** End User Messaging Notify (`smsProvider: notify`): codes in AWS's approved words, on its channels. */
  managedCodes?: ManagedCodeSender;
  /** E-mail, where the deployment configures it (API 1.2): SES v2 from the stage's domain identity. */
  email?: EmailSender;
};

/** Checking a code texts no one and opens no envelope: its bundle carries neither the SMS nor the envelope wiring. */
export type VerifyDeps = Pick<OtpDeps, 'now' | 'keys' | 'store' | 'signals' | 'audit' | 'limits'>;
