import type { AuditEvent } from './event.ts';
import type { Seal, SealArchive, SealKey } from './seal.ts';
import { verifyTrail, type TrailVerdict } from './verify-trail.ts';

/** What a full verification reads: the whole table, the archive's seal list, the public key. */
export type TrailDeps = {
  store: { everything(): Promise<{ events: (AuditEvent & { storedKey?: string })[]; seals: Seal[] }> };
  key: SealKey;
  archive?: SealArchive;
  now: () => number;
};

/**
 * GET /v1/audit/verify and `npm run audit:verify`. Reads everything (a full check; for a large
 * trail run the script, which has no API Gateway time limit) and reports one verdict.
 */
export async function verifyAuditTrail(deps: TrailDeps): Promise<TrailVerdict> {
  const [{ events, seals }, publicKeyPem, archived] = await Promise.all([
    deps.store.everything(),
    deps.key.publicKeyPem(),
    deps.archive ? deps.archive.seqs() : Promise.resolve(undefined),
  ]);
  return verifyTrail({ events, seals, ...(archived ? { archived } : {}), publicKeyPem, now: deps.now() });
}
