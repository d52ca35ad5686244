import { once } from './once.ts';
import { LocalMessageArchive } from './archive/message-archives.ts';
import { S3Client, S3MessageArchive } from './archive/s3-message-archive.ts';
import { config } from './config.ts';
import type { ArchivePolicy, MessageArchive } from './messages/archive.ts';
import { auditItems, envelope } from './runtime.ts';

/**
 * The retention archive's wiring, apart from shared/runtime.ts so that only the two functions that
 * use it (send-message, get-archived-message) carry the S3 client.
 */

const messageArchive = /* @__PURE__ */ once((): MessageArchive | undefined => {
  const cfg = config();
  if (cfg.ARCHIVE_DIR) return new LocalMessageArchive(cfg.ARCHIVE_DIR);
  return cfg.ARCHIVE_BUCKET ? new S3MessageArchive(new S3Client({}), cfg.ARCHIVE_BUCKET) : undefined;
});

/** What sendMessage needs to archive: the policy (deploy setting `archive`) and the archive. */
export const messageArchiveDeps = /* @__PURE__ */ once((): { archivePolicy: ArchivePolicy; archive?: MessageArchive } => {
  const archive = messageArchive();
  return { archivePolicy: { categories: config().ARCHIVE_CATEGORIES, retentionDays: config().ARCHIVE_RETENTION_DAYS }, ...(archive ? { archive } : {}) };
});

/** GET /v1/archive/messages/{id}: the archive, the envelope (message-archive, decrypt) and the audit trail. */
export const archiveReadDeps = /* @__PURE__ */ once(() => {
  // A stage without an archive has nothing archived: every id is not found.
  const archive: MessageArchive = messageArchive() ?? { put: () => Promise.reject(new Error('No archive')), get: () => Promise.resolve(undefined) };
  return { archive, envelope: envelope(), audit: auditItems(), now: Date.now };
});
