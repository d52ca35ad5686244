import { eventKey } from './event.ts';
import {
  entryOf, FIRST_RUN_WINDOW_MS, GENESIS, LOOKBACK_MS, merkleRoot, PAGE_SIZE, sealHash, sealMessage,
  type Seal, type SealArchive, type SealHeader, type SealSigner, type SealStore,
} from './seal.ts';

export type SealerDeps = { store: SealStore; signer: SealSigner; archive: SealArchive; retentionDays: number; now: () => number };
export type SealRun = { sealed: number; seq?: number; raced?: boolean };

/**
 * One run of the sealer (every minute in AWS and on the local stack). It reads every event with
 * `at` since the last seal's scan minus LOOKBACK_MS, leaves out those a recent seal already names,
 * and seals the rest as the next seal. Every step can be repeated: a run that dies before the
 * header is written leaves nothing a later run would double (the header is the commit, written
 * only if its seq is free); a run that dies after it has its archive copy made by the next run.
 */
export async function sealOnce(deps: SealerDeps): Promise<SealRun> {
  const last = await deps.store.latest();
  if (last && !(await deps.archive.has(last.header.seq))) await deps.archive.put(last);

  const now = deps.now();
  const from = last ? Date.parse(last.header.scannedThrough) - LOOKBACK_MS : now - FIRST_RUN_WINDOW_MS;
  const [events, recent] = await Promise.all([deps.store.eventsBetween(from, now), deps.store.sealsSince(from)]);
  const named = new Set(recent.flatMap((s) => s.entries.map((e) => e.slice(0, e.lastIndexOf('|')))));
  const fresh = events.filter((e) => !named.has(eventKey(e))).sort((a, b) => (eventKey(a) < eventKey(b) ? -1 : 1));
  if (fresh.length === 0) return { sealed: 0 };

  // The stored hash is what the writer computed; verification recomputes it from the content.
  const entries = fresh.map((e) => entryOf(eventKey(e), e.hash));
  const header: SealHeader = {
    v: 1,
    seq: (last?.header.seq ?? 0) + 1,
    prevHash: last?.hash ?? GENESIS,
    prevSealedAt: last?.header.sealedAt ?? null,
    root: merkleRoot(entries),
    count: entries.length,
    firstAt: fresh[0]!.at,
    lastAt: fresh.at(-1)!.at,
    // Monotonic even if this run's clock is behind the last one's: seals sort by it.
    sealedAt: new Date(Math.max(now, last ? Date.parse(last.header.sealedAt) + 1 : 0)).toISOString(),
    scanFrom: new Date(from).toISOString(),
    scannedThrough: new Date(now).toISOString(),
    retentionDays: deps.retentionDays,
    pages: Math.ceil(entries.length / PAGE_SIZE),
  };
  const seal: Seal = { header, hash: sealHash(header), signature: (await deps.signer.sign(sealMessage(header))).toString('base64'), entries };
  if (!(await deps.store.write(seal))) return { sealed: 0, raced: true };
  await deps.archive.put(seal);
  return { sealed: entries.length, seq: header.seq };
}
