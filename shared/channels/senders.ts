import type { VoiceScript } from './voice-script.ts';
import type { WhatsAppTemplateMessage } from './whatsapp-message.ts';

/**
 * The ports of the phone channels beside SMS (shared/sms/sender.ts). Adapters: End User Messaging
 * Social for WhatsApp, End User Messaging `SendVoiceMessage` for voice (adapters/whatsapp/,
 * adapters/voice/). `ref` names the record the message belongs to, as for SMS: a provider that
 * hands it back with its status events lets receipts match without a write after the send.
 */
export interface WhatsAppSender {
  /** `text`: the words the person sees (Meta renders them from the template); the local outbox shows them. */
  send(m: { message: WhatsAppTemplateMessage; text: string; ref?: string }): Promise<{ messageId: string }>;
}
export interface VoiceSender {
  /** End User Messaging carries `ref` in the call's Context and its events: receipts match by it. */
  readonly echoesRef?: boolean;
  send(call: { to: string; script: VoiceScript; ref?: string }): Promise<{ messageId: string }>;
}

/**
 * A provider that sends a code in its own approved words (End User Messaging Notify: AWS-managed
 * numbers and templates, the code the only variable), on the channels it was set up for. Its text is
 * the provider's, not ours. Adapter: adapters/sms/notify.ts.
 */
export interface ManagedCodeSender {
  readonly channels: ReadonlySet<'sms' | 'voice'>;
  /** The reference rides in the message's Context and comes back with its events. */
  readonly echoesRef: true;
  send(m: { to: string; code: string; channel: 'sms' | 'voice'; locale: 'en' | 'de'; ttlSeconds: number; ref?: string }): Promise<{ messageId: string }>;
}

/**
 * E-mail (API 1.2): a plain-text and an HTML part, extra headers (one-click unsubscribe), and the
 * record reference, which SES carries in the message's tags to its events. Adapters: SES v2
 * `SendEmail` from the stage's domain identity through its configuration set, and the local outbox
 * (adapters/email/).
 */
export type OutgoingEmail = { to: string; subject: string; text: string; html: string; headers?: readonly { name: string; value: string }[]; ref?: string };
export interface EmailSender {
  send(m: OutgoingEmail): Promise<{ messageId: string }>;
}

/** The provider refused this message or call for good (not a transient fault): the step fails at once. */
export class ChannelRejected extends Error {
  constructor(readonly reason: 'not_on_whatsapp' | 'opted_out' | 'invalid_destination' | 'provider_refused') {
    super(`Channel rejected: ${reason}`);
    this.name = 'ChannelRejected';
  }
}
