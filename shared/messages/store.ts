import type { NewAuditEvent } from '../audit/event.ts';
import type { SendKind } from '../consent/guard.ts';
import type { SentText } from '../provenance/provenance.ts';
import type { LimitCounter } from '../ratelimit/limits.ts';
import type { ArchivedMessage } from './archive.ts';
import type { Message } from './message.ts';

/**
 * The port the messages domain owns; DynamoDB implements it (adapters/store/message-store.ts). As for
 * verifications, every write that records an action commits its audit event in the same
 * transaction, and a failed condition returns the message as it was.
 */
export type Written = { ok: true } | { ok: false; current: Message | undefined };

export interface MessageStore {
  /**
   * Counters, the consent condition, the message, its link, its event and (for an archived
   * category) its sealed copy in the archive outbox, in one transaction.
   */
  create(m: Message, link: string | undefined, counters: LimitCounter[], kind: SendKind, nowMs: number, event: NewAuditEvent, sent?: SentText, archived?: ArchivedMessage): Promise<void>;
  get(id: string): Promise<Message | undefined>;
  findByLink(hash: string): Promise<Message | undefined>;
  /** A new open code for the recipient, guarded by the sends count seen, with the phone's counters. */
  setOpenCode(
    q: { id: string; codeHash: string; codeExpiresAt: number; seenSends: number; nowMs: number; country: string; phoneIndex: string; channel?: 'email' | 'whatsapp'; emailIndex?: string },
    counters: LimitCounter[],
    event: NewAuditEvent,
  ): Promise<Written>;
  /**
   * The right code opens the very ciphertext that was read; with burn-after-read it is removed in
   * the same write. The number that opened is trusted until `trust.until` (fraud/ranges.ts).
   */
  open(q: { id: string; codeHash: string; answerHash?: string; burn: boolean; seenBody: string; nowMs: number }, event: NewAuditEvent, trust: { phoneIndex: string; until: number }): Promise<Written>;
  /** A wrong open code: +1 attempt (at `seenAttempts`) and the number's failed-verification windows. */
  recordFailedOpen(
    q: { id: string; seenAttempts: number; nowMs: number },
    failures: LimitCounter[],
    event: (locked: boolean) => NewAuditEvent,
  ): Promise<Written & { locked?: boolean }>;
  /** Remote wipe: revoked, the body and any open code removed at once. */
  revoke(q: { id: string; clientId: string; nowMs: number }, event: NewAuditEvent): Promise<Written>;
  /** Records a message's expiry with its event unless it was recorded already (the sweep, another request); its content goes too. */
  markExpired(q: { id: string; nowMs: number }, event: NewAuditEvent): Promise<Written>;
  markFailed(id: string, event: NewAuditEvent): Promise<void>;
  /** The provider accepted the SMS: delivery `sent`, and its message id for the receipt to find. */
  markSent(id: string, smsId: string, atMs: number): Promise<void>;
}
