import { deliveryView } from '../delivery/receipt.ts';
import { messageStatus, type Message } from './message.ts';

const iso = (ms: number) => new Date(ms).toISOString();

/** What the sender may see: never the body, never the number. */
export function messageView(m: Message, nowMs: number) {
  return {
    messageId: m.id,
    status: messageStatus(m, nowMs),
    to: m.phoneMask,
    delivery: m.delivery,
    category: m.category,
    createdAt: iso(m.createdAt),
    expiresAt: iso(m.expiresAt),
    ...(m.openedAt !== undefined ? { openedAt: iso(m.openedAt) } : {}),
    ...(m.revokedAt !== undefined ? { revokedAt: iso(m.revokedAt) } : {}),
    // `delivery` already names how the message was sent (sealed or direct) in contract 1.0.
    deliveryStatus: deliveryView(m.receipt, m.createdAt, nowMs),
  };
}
