import { once } from './once.ts';
import { LocalMessageArchive } from '../adapters/archive/message-archives.ts';
import { config } from './config.ts';
import type { ArchivePolicy, MessageArchive } from '../messages/archive.ts';
import { auditItems, envelope } from './runtime.ts';

/**
 * The retention archive's wiring, apart from shared/wiring/runtime.ts so that only the two functions that
 * use it (send-message, get-archived-message) carry the S3 client.
 */

const messageArchive = /* @__PURE__ */ once((): MessageArchive | undefined => {
  const cfg = config();
  if (cfg.ARCHIVE_DIR) return new LocalMessageArchive(cfg.ARCHIVE_DIR);
  // A bundle built for a stage without an archive (SEALTEXT_ARCHIVE defined `none` at build time)
  // leaves the S3 client out altogether; elsewhere it is loaded on the first archive call.
  if (process.env.SEALTEXT_ARCHIVE !== 'none' && cfg.ARCHIVE_BUCKET) {
    const bucket = cfg.ARCHIVE_BUCKET;
    let s3: Promise<MessageArchive> | undefined;
    const load = () => (s3 ??= import('../adapters/archive/s3-message-archive.ts').then((m) => new m.S3MessageArchive(new m.S3Client({}), bucket)));
    return { put: async (record) => (await load()).put(record), get: async (id) => (await load()).get(id) };
  }
  return undefined;
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
