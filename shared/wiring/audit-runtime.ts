import { once } from './once.ts';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { LocalSealArchive, S3SealArchive } from '../adapters/archive/seal-archives.ts';
import type { SealArchive } from '../audit/seal.ts';
import type { SealerDeps } from '../audit/sealer.ts';
import type { TrailDeps } from '../audit/trail.ts';
import { config } from './config.ts';
import { KmsSealSigner, LocalSealSigner } from '../adapters/crypto/seal-signers.ts';
import { dynamoClients } from './runtime.ts';
import { DynamoAuditTrailStore } from '../adapters/store/audit-trail-store.ts';

/**
 * Wiring for the functions that read the trail or seal it, apart from shared/wiring/runtime.ts so that
 * no other function bundles the S3 client or the signing adapters.
 */

export const auditTrailStore = /* @__PURE__ */ once(() => {
  const table = config().AUDIT_TABLE_NAME;
  if (!table) throw new Error('AUDIT_TABLE_NAME is not configured for this function');
  return new DynamoAuditTrailStore(dynamoClients().doc, table);
});

const signingKey = /* @__PURE__ */ once(() => {
  const cfg = config();
  if (cfg.KEY_SOURCE === 'local') {
    if (!cfg.AUDIT_SIGNING_KEY_FILE) throw new Error('AUDIT_SIGNING_KEY_FILE is not configured');
    return new LocalSealSigner(cfg.AUDIT_SIGNING_KEY_FILE);
  }
  if (!cfg.AUDIT_SIGNING_KEY_ARN) throw new Error('AUDIT_SIGNING_KEY_ARN is not configured for this function');
  return new KmsSealSigner(new KMSClient({}), cfg.AUDIT_SIGNING_KEY_ARN);
});

const sealArchive = /* @__PURE__ */ once((): SealArchive | undefined => {
  const cfg = config();
  if (cfg.SEAL_BUCKET) return new S3SealArchive(new S3Client({}), cfg.SEAL_BUCKET);
  return cfg.SEAL_DIR ? new LocalSealArchive(cfg.SEAL_DIR) : undefined;
});

export const sealerDeps = /* @__PURE__ */ once((): SealerDeps => {
  const archive = sealArchive();
  if (!archive) throw new Error('SEAL_BUCKET (or SEAL_DIR locally) is not configured for the sealer');
  return { store: auditTrailStore(), signer: signingKey(), archive, retentionDays: config().AUDIT_RETENTION_DAYS, now: Date.now };
});

export const trailDeps = /* @__PURE__ */ once((): TrailDeps => {
  const archive = sealArchive();
  return { store: auditTrailStore(), key: signingKey(), ...(archive ? { archive } : {}), now: Date.now };
});

export const sealPublicKey = /* @__PURE__ */ once(() => signingKey());
