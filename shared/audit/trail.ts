import type { Seal, SealArchive, SealKey } from './seal.ts';
import { verifyTrail, type StoredEvent, type TrailVerdict } from './verify-trail.ts';

/** What a full verification reads, a piece at a time: seals in order, events hour by hour, the archive's seal list, the public key. */
export type TrailDeps = {
  store: { sealsInOrder(): AsyncIterable<Seal>; eventHours(): Promise<number[]>; eventsInHour(hourMs: number): Promise<StoredEvent[]> };
  key: SealKey;
  archive?: SealArchive;
  now: () => number;
};

/**
 * GET /v1/audit/verify and `npm run audit:verify`. Reads everything (a full check; for a large
 * trail run the script, which has no API Gateway time limit), in memory bounded by the busiest
 * hours rather than the trail's size, and reports one verdict.
 */
export async function verifyAuditTrail(deps: TrailDeps): Promise<TrailVerdict> {
  const [eventHours, publicKeyPem, archived] = await Promise.all([
    deps.store.eventHours(),
    deps.key.publicKeyPem(),
    deps.archive ? deps.archive.seqs() : Promise.resolve(undefined),
  ]);
  return verifyTrail({
    seals: deps.store.sealsInOrder(), eventHours, eventsInHour: (hour) => deps.store.eventsInHour(hour),
    ...(archived ? { archived } : {}), publicKeyPem, now: deps.now(),
  });
}
