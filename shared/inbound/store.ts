import type { NewAuditEvent } from '../audit/event.ts';
import type { LimitCounter } from '../ratelimit/limits.ts';

/** The port the inbound domain owns; DynamoDB implements it (adapters/store/inbound-store.ts). */
export type InboundMessage = {
  id: string;
  phoneIndex: string;
  fromMask: string;
  receivedAt: number;
  expiresAt: number;
  /** The sender's number, sealed: export and erasure find it by the blind index, the business sees the mask. */
  sealedFrom: string;
  sealedBody: string;
  /** API 1.2: where it came from; absent on texts (SMS). */
  channel?: 'whatsapp';
};

export interface InboundStore {
  /** The text and its audit event in one transaction. False when it was already stored (SNS redelivery). */
  put(m: InboundMessage, event: NewAuditEvent): Promise<boolean>;
  /**
   * The HELP reply's guards, as for any send: the windows, the number's consent and the country's
   * brake, with the reply's audit event, in one transaction. Throws RateLimited, RecipientOptedOut
   * or DestinationNotAllowed, writing nothing.
   */
  guardReply(q: { phoneIndex: string; country: string; nowMs: number }, counters: LimitCounter[], event: NewAuditEvent): Promise<void>;
  list(q: { sinceMs: number; cursor?: string; limit: number; nowMs: number }): Promise<{ items: InboundMessage[]; nextCursor?: string }>;
}

