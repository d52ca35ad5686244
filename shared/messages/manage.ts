import { MessageGone } from '../errors.ts';
import { ownedOrNotFound } from '../ownership.ts';
import type { MessageDeps } from './deps.ts';
import { messageStatus } from './message.ts';
import { messageView } from './views.ts';


/** GET /v1/messages/{id} */
export async function getMessage(deps: Pick<MessageDeps, 'store' | 'now'>, clientId: string, id: string) {
  return messageView(ownedOrNotFound(await deps.store.get(id), clientId), deps.now());
}

/**
 * DELETE /v1/messages/{id}: remote wipe. The body goes in the same conditional write that marks the
 * message revoked, so an open racing the revoke either committed first (opened before revoke) or
 * fails its own condition (revoked); nothing is decrypted after a revoke.
 */
export async function revokeMessage(deps: Pick<MessageDeps, 'store' | 'now' | 'audit'>, clientId: string, id: string) {
  const now = deps.now();
  // One transaction with its event, which names the message (its send event carries the subject).
  const out = await deps.store.revoke({ id, clientId, nowMs: now }, { actor: clientId, action: 'message.revoke', outcome: 'revoked', resource: id });
  if (out.ok) return { status: 'revoked' as const };
  const current = ownedOrNotFound(out.current, clientId);
  const status = messageStatus(current, now);
  if (status === 'expired') await deps.audit.record({ actor: clientId, action: 'message.expired', outcome: 'observed', subjectIndex: current.phoneIndex, subjectMask: current.phoneMask, resource: id });
  throw new MessageGone(status === 'opened' ? 'already_read' : status === 'sent' ? 'failed' : status);
}
