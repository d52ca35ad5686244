import type { AuditTrail } from '../audit/event.ts';
import type { EncryptionContext, Envelope } from '../crypto/envelope.ts';
import { NotFound } from '../errors.ts';

/**
 * The retention archive: a message of an archived category is also kept, encrypted under its own
 * purpose, where the business must keep it (AWS: S3 Object Lock in compliance mode; local:
 * `.local/archive/`). The send commits the sealed copy to the archive outbox in its own transaction
 * (so a message that went out is never missing from the archive, and the send never waits on S3);
 * the archiver moves it from there into the archive. Burn-after-read, revoke and expiry remove the
 * live copy only; erasure leaves the archived record under its legal retention and reports it.
 * Reading it needs a reason, audited.
 */
export type ArchivePolicy = { categories: readonly string[]; retentionDays: number };
export type ArchivedMessage = { messageId: string; clientId: string; sealedBody: string; sentAt: number; toMask: string; until: number };

/** The port: S3 with Object Lock, or a folder (shared/adapters/archive/). Write-once: a record already there is left as it is. */
export interface MessageArchive {
  put(record: ArchivedMessage): Promise<void>;
  get(messageId: string): Promise<ArchivedMessage | undefined>;
}

/** The port: copies committed with their sends, waiting for the archiver (DynamoDB, adapters/store/archive-outbox-store.ts). */
export interface ArchiveOutbox {
  pending(messageId: string): Promise<ArchivedMessage | undefined>;
  remove(messageId: string): Promise<void>;
}

const archiveContext = (messageId: string): EncryptionContext => ({ app: 'sealtext', purpose: 'message-archive', record: messageId });

export const archives = (policy: ArchivePolicy, category: string) => policy.retentionDays > 0 && policy.categories.includes(category);

export async function archivedCopy(envelope: Envelope, policy: ArchivePolicy, m: { id: string; clientId: string; createdAt: number; phoneMask: string }, body: string): Promise<ArchivedMessage> {
  return {
    messageId: m.id, clientId: m.clientId, sealedBody: await envelope.seal(body, archiveContext(m.id)), sentAt: m.createdAt, toMask: m.phoneMask,
    until: m.createdAt + policy.retentionDays * 86_400_000,
  };
}

/**
 * The archiver's step for one committed copy: into the archive, then out of the outbox. Safe to
 * repeat (the stream delivers at least once): the archive keeps the first write, removing is idempotent.
 */
export async function moveToArchive(deps: { archive: MessageArchive; outbox: ArchiveOutbox }, record: ArchivedMessage): Promise<void> {
  await deps.archive.put(record);
  await deps.outbox.remove(record.messageId);
}

/** GET /v1/archive/messages/{id}?reason= : the owner's archived message, the read audited with its reason. */
export async function readArchived(deps: { archive: MessageArchive; outbox: ArchiveOutbox; envelope: Envelope; audit: AuditTrail; now: () => number }, clientId: string, messageId: string, reason: string) {
  // A copy the archiver has not moved yet (seconds after the send) is read where it waits.
  const record = (await deps.archive.get(messageId)) ?? (await deps.outbox.pending(messageId));
  // Another client's record answers exactly like none.
  if (!record || record.clientId !== clientId || record.until <= deps.now()) throw new NotFound();
  // Audited before the body is shown: no read without its record.
  await deps.audit.record({ actor: clientId, action: 'archive.read', outcome: `reason:${reason}`, resource: messageId, subjectMask: record.toMask });
  const body = await deps.envelope.open(record.sealedBody, archiveContext(messageId));
  return { messageId, body, sentAt: new Date(record.sentAt).toISOString(), to: record.toMask, archivedUntil: new Date(record.until).toISOString() };
}
