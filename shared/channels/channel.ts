/**
 * The channels a code or a notice can travel on (API 1.2). `sms` is what a 1.0 or 1.1 client that
 * names none gets. Phone channels go to `to`; e-mail to `email`.
 */
export type Channel = 'sms' | 'whatsapp' | 'voice' | 'email';
export const PHONE_CHANNELS: ReadonlySet<Channel> = new Set<Channel>(['sms', 'whatsapp', 'voice']);

