/**
 * The SMS port: `sns` or `eum` in AWS, `outbox` in the local stack. `ref` names the record the SMS
 * belongs to (`smsRef`, delivery/receipt.ts); a provider that hands it back with each receipt says
 * so with `echoesRef`, and then no provider id needs recording after the send.
 */
export type Sms = { to: string; text: string; ref?: string };

export interface SmsSender {
  /** End User Messaging carries `ref` in the message's Context and its events: receipts match by it. */
  readonly echoesRef?: boolean;
  /** Resolves when the provider accepted the message; rejects with SmsRejected when it refused. */
  send(sms: Sms): Promise<{ messageId: string }>;
}

/** The provider refused this message (bad number, opted out, spend limit); not a transient fault. */
export class SmsRejected extends Error {
  constructor(readonly reason: 'opted_out' | 'invalid_destination' | 'provider_refused') {
    super(`SMS rejected: ${reason}`);
    this.name = 'SmsRejected';
  }
}
