import type { NewAuditEvent } from '../audit/event.ts';

/** The port the inbound domain owns; DynamoDB implements it (store/inbound-store.ts). */
export type InboundMessage = {
  id: string;
  phoneIndex: string;
  fromMask: string;
  receivedAt: number;
  expiresAt: number;
  /** The sender's number, sealed: export and erasure find it by the blind index, the business sees the mask. */
  sealedFrom: string;
  sealedBody: string;
};

export interface InboundStore {
  /** The text and its audit event in one transaction. False when it was already stored (SNS redelivery). */
  put(m: InboundMessage, event: NewAuditEvent): Promise<boolean>;
  list(q: { sinceMs: number; cursor?: string; limit: number; nowMs: number }): Promise<{ items: InboundMessage[]; nextCursor?: string }>;
}

