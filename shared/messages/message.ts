import { createHash, randomBytes } from 'node:crypto';
import type { MessageGoneReason } from '../errors.ts';
import type { EndUserKeys } from '../ratelimit/end-user.ts';
import type { Receipt } from '../delivery/receipt.ts';

/** A sealed or direct message as stored. Times are epoch ms from the server clock. */
type StoredMessageStatus = 'sent' | 'opened' | 'revoked' | 'failed';
export type MessageStatus = StoredMessageStatus | 'expired';

export type Message = {
  id: string;
  clientId: string;
  status: StoredMessageStatus;
  category: 'transactional' | 'promotional';
  /** Kept in the retention archive until then (messages/archive.ts). */
  archivedUntil?: number;
  /** The recipient check (messages/recipient-check.ts): the question, and the answer's keyed hash. */
  checkPrompt?: string;
  checkHash?: string;
  /** Sent from this template's approved version (messages/content.ts). */
  templateId?: string;
  templateVersion?: number;
  delivery: 'sealed' | 'direct';
  burnAfterRead: boolean;
  brand?: string;
  phoneIndex: string;
  phoneMask: string;
  /** API 1.2: notice and open code by e-mail, to this address (sealed; masked; indexed for suppression). */
  channel?: 'email' | 'whatsapp';
  sealedEmail?: string;
  emailMask?: string;
  emailIndex?: string;
  country: string;
  /** Keyed hashes of the app's end-user signals. */
  endUser?: EndUserKeys;
  /** Envelope of the number, for the recipient's open codes. */
  sealedRecipient: string;
  /** SHA-256 of the link token (sealed delivery): the link item's key, for erasure. */
  linkHash?: string;
  /** Envelope of the body; sealed delivery only, removed on burn, revoke. */
  sealedBody?: string;
  createdAt: number;
  expiresAt: number;
  openedAt?: number;
  revokedAt?: number;
  /** When its expiry was recorded (by the sweep or by the first request that found it expired): once. */
  expiredAt?: number;
  /** The recipient's current open code: hashed, expiring, single use. */
  openCodeHash?: string;
  openCodeExpiresAt?: number;
  openAttempts: number;
  maxOpenAttempts: number;
  openSends: number;
  openLastSentAt?: number;
  /** What became of the SMS with the notice and link, or the direct body (delivery/receipt.ts). */
  receipt?: Receipt;
  /** The SMS's record reference (delivery/receipt.ts smsRef): End User Messaging's receipts match by it. */
  smsRef?: string;
};

export const MESSAGE_RULES = {
  maxOpenAttempts: 5,
  maxOpenSends: 5,
  openResendIntervalMs: 30_000,
  openCodeTtlMs: 5 * 60_000,
  openCodeLength: 6,
  /** Kept after expiry so the sender and the link can still say `expired`. */
  retainAfterExpiryMs: 7 * 24 * 3_600_000,
} as const;

export function messageStatus(m: Message, nowMs: number): MessageStatus {
  if ((m.status === 'sent' || m.status === 'opened') && nowMs >= m.expiresAt) return 'expired';
  return m.status;
}

/** Why the recipient can't open (or ask a code for) this message now; undefined if they can. */
export function goneReason(m: Message, nowMs: number): MessageGoneReason | undefined {
  const status = messageStatus(m, nowMs);
  if (status === 'expired' || status === 'revoked' || status === 'failed') return status;
  if (m.delivery !== 'sealed' || !m.sealedBody) return 'already_read';
  if (m.openAttempts >= m.maxOpenAttempts) return 'max_attempts_reached';
  return undefined;
}

/** The link's capability: 256 random bits. Only its SHA-256 is stored, as the lookup key. */
export function newLinkToken(): string {
  return randomBytes(32).toString('base64url');
}
export const LINK_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
export function linkHash(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

export const bodyContext = (messageId: string) => ({ app: 'sealtext' as const, purpose: 'message-body', record: messageId });
export const recipientContext = (messageId: string) => ({ app: 'sealtext' as const, purpose: 'message-recipient', record: messageId });
