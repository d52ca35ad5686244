import { once } from './once.ts';
import { LocalMessageArchive } from '../adapters/archive/message-archives.ts';
import { DynamoArchiveOutbox } from '../adapters/store/archive-outbox-store.ts';
import { config } from './config.ts';
import type { ArchiveOutbox, MessageArchive } from '../messages/archive.ts';
import { auditItems, dynamoClients, envelope } from './runtime.ts';

/**
 * The retention archive's wiring, apart from shared/wiring/runtime.ts so that only the two functions
 * that touch the archive itself (archive-messages, get-archived-message) carry the S3 client; the
 * sender only writes the archive outbox, in its own transaction.
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

const archiveOutbox = /* @__PURE__ */ once((): ArchiveOutbox | undefined => {
  const name = config().ARCHIVE_OUTBOX_TABLE_NAME;
  return name ? new DynamoArchiveOutbox(dynamoClients().doc, name) : undefined;
});

/** The archiver (functions/archive-messages.ts): the archive and the outbox it empties. */
export const archiverDeps = /* @__PURE__ */ once(() => {
  const archive = messageArchive();
  const outbox = archiveOutbox();
  if (!archive || !outbox) throw new Error('The archiver needs ARCHIVE_BUCKET (or ARCHIVE_DIR) and ARCHIVE_OUTBOX_TABLE_NAME');
  return { archive, outbox };
});

/** GET /v1/archive/messages/{id}: the archive and its outbox, the envelope (message-archive, decrypt) and the audit trail. */
export const archiveReadDeps = /* @__PURE__ */ once(() => {
  // A stage without an archive has nothing archived: every id is not found.
  const archive: MessageArchive = messageArchive() ?? { put: () => Promise.reject(new Error('No archive')), get: () => Promise.resolve(undefined) };
  const outbox: ArchiveOutbox = archiveOutbox() ?? { pending: () => Promise.resolve(undefined), remove: () => Promise.resolve() };
  return { archive, outbox, envelope: envelope(), audit: auditItems(), now: Date.now };
});
