/** The SMS port: `sns` in AWS, `outbox` in the local stack. */
export type Sms = { to: string; text: string };

export interface SmsSender {
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
