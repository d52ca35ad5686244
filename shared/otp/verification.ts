import type { Channel } from '../channels/channel.ts';
import { newId } from '../crypto/ids.ts';
import type { Receipt } from '../delivery/receipt.ts';
import type { EndUserKeys } from '../ratelimit/end-user.ts';

/** An earlier message of a verification: its channel and its last receipt when the next went out. */
export type StepDelivery = Receipt & { channel: Channel };

/** A verification as stored. Times are epoch milliseconds from the server clock. */
type StoredStatus = 'pending' | 'approved' | 'canceled' | 'failed';
export type Status = StoredStatus | 'expired' | 'max_attempts_reached';
export type Purpose = 'login' | 'transaction' | 'password_reset' | 'delivery' | 'generic';

export type Verification = {
  id: string;
  clientId: string;
  status: StoredStatus;
  purpose: Purpose;
  /** HMAC(codeHashKey, id ‖ code ‖ bindingHash); the code itself is never stored. */
  codeHash: string;
  /**
   * A workflow's (API 1.2): the hashes of the codes later steps sent, valid together with
   * `codeHash` until the verification ends; a resend removes them (adapters/store, docs/channels.md).
   */
  codeHashes?: string[];
  /** The channel of the code sent last (API 1.2); absent: `sms`. */
  channel?: Channel;
  /** A workflow's steps, in order (skipped ones left out), and the index of the step in use (the last one sent). */
  steps?: Channel[];
  step?: number;
  /** A workflow's seconds between a step and the next when no approval comes (API 1.2 `channelTimeout`). */
  channelTimeout?: number;
  /** What became of each message sent before the current one (a fallback step or a resend), oldest first. */
  deliveries?: StepDelivery[];
  /** HMAC of the bound transaction (purpose `transaction`), else absent. */
  bindingHash?: string;
  codeLength: number;
  ttlSeconds: number;
  attempts: number;
  maxAttempts: number;
  sends: number;
  maxSends: number;
  createdAt: number;
  lastSentAt: number;
  expiresAt: number;
  approvedAt?: number;
  canceledAt?: number;
  /** Keyed blind index of the number: rate limits, consent, audit. */
  phoneIndex: string;
  phoneMask: string;
  /** API 1.2: the e-mail address for `email` steps, masked (the address itself is sealed in `sealedDelivery`). */
  emailMask?: string;
  /** Its keyed blind index: suppression and the address's windows find it by this. */
  emailIndex?: string;
  country: string;
  /** Keyed hashes of the app's end-user signals (IP, user, device), for the limits and for resends. */
  endUser?: EndUserKeys;
  /** Envelope-encrypted delivery details (number, transaction) for resends. */
  sealedDelivery: string;
  brand?: string;
  locale: string;
  /**
   * API 1.2: a verification by e-mail alone (no number). Its subject fields then name the address:
   * `phoneIndex` is the address's blind index, `phoneMask` its mask, `country` empty.
   */
  emailOnly?: true;
  /** What became of the last code's SMS (delivery/receipt.ts). */
  receipt?: Receipt;
  /** The current SMS's record reference (delivery/receipt.ts smsRef): End User Messaging's receipts match by it. */
  smsRef?: string;
};

/**
 * A verification id is 128 random bits, the destination's ISO country code and its range's keyed
 * tag (fraud/ranges.ts). The right code is one write that reads nothing, so the id is how that path
 * knows the country its conversion metric counts under and the range its approval counts back into;
 * the client already knows where it sent the code, and the tag is a keyed hash.
 */
export const verificationId = (country: string, rangeTag: string) => `${newId()}${country}${rangeTag}`;
export const countryOfVerification = (id: string): string | undefined => (id.length >= 24 ? id.slice(22, 24) : undefined);
export const rangeTagOfVerification = (id: string): string | undefined => (id.length === 32 ? id.slice(24) : undefined);

export const OTP_RULES = {
  maxAttempts: 5,
  maxSends: 5,
  resendIntervalMs: 30_000,
  /** Kept this long after expiry so GET still answers `expired` before TTL deletes the item. */
  retainAfterExpiryMs: 24 * 3_600_000,
} as const;
