import { createPublicKey, verify as verifySignature } from 'node:crypto';
import { eventHash, eventKey, type AuditEvent } from './event.ts';
import {
  GENESIS, LOOKBACK_MS, merkleRoot, parseEntry, SEAL_RETENTION_MARGIN_MS, sealHash, sealId, sealMessage, type Seal,
} from './seal.ts';

export type TrailVerdict =
  | { intact: true; events: number; seals: number; sealedThrough: string | null; unsealed: number; expired: number }
  | { intact: false; brokenAt: string; reason: string };

/** An event as the table holds it: where it sits (`storedKey`, the hour of its partition) tells a moved event. */
export type StoredEvent = AuditEvent & { storedKey?: string; storedHour?: number };

/** What the check reads, a piece at a time: seals in sequence order, and the events hour by hour. */
export type TrailSource = {
  seals: AsyncIterable<Seal>;
  /** Every hour (epoch ms, on the hour) the table holds events for. */
  eventHours: readonly number[];
  eventsInHour(hourMs: number): Promise<StoredEvent[]>;
  /** Seqs in the archive (S3 Object Lock / .local/seals); undefined when not available. */
  archived?: readonly number[];
  publicKeyPem: string;
  now: number;
};

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const hourOf = (at: string) => Math.floor(Date.parse(at) / HOUR_MS) * HOUR_MS;
type Named = { hash: string; id: string; at: string; retentionDays: number };

class Broken extends Error {
  constructor(readonly brokenAt: string, readonly reason: string) {
    super(reason);
  }
}

/**
 * Checks the whole trail: every seal's signature, hash and link to the one before; every sealed
 * event against the hash its seal names; events no seal names that are older than any sealer would
 * still pick up (insertions); seals missing from the table that the write-once archive holds
 * (a deleted seal or tail). Missing items are told apart from retention by their own expiry: an
 * event is gone legitimately only once `at + retentionDays` has passed, a seal once its
 * successor's `prevSealedAt + retentionDays + margin` has.
 *
 * In bounded memory, whatever the trail's size: seals are read in sequence (only the one before is
 * kept), their entries are kept per hour of the event they name, and an hour is checked against its
 * events and let go as soon as no later seal can name anything in it (a sealer scans from its
 * predecessor's end minus LOOKBACK_MS, so a seal whose scan starts after an hour ends closes it).
 * What stays is one number per seal and per hour, and the entries of the hours still open.
 */
export async function verifyTrail(input: TrailSource): Promise<TrailVerdict> {
  try {
    return await check(input);
  } catch (error) {
    if (error instanceof Broken) return { intact: false, brokenAt: error.brokenAt, reason: error.reason };
    throw error;
  }
}

async function check(input: TrailSource): Promise<TrailVerdict> {
  const key = createPublicKey(input.publicKeyPem);
  const open = new Map<number, Map<string, Named>>();
  const hoursWithEvents = [...new Set(input.eventHours)].sort((a, b) => a - b);
  let nextHour = 0;
  const done = new Set<number>();
  const seqs = new Set<number>();
  let oldest = Infinity;
  const counts = { events: 0, seals: 0, unsealed: 0, expired: 0 };
  let prev: Seal | undefined;

  /** An hour's events against the entries naming them; `horizon` undefined: a later seal's scan has passed it, so nothing in it may be unnamed. */
  const checkHour = async (hour: number, horizon?: number) => {
    const named = open.get(hour) ?? new Map<string, Named>();
    open.delete(hour);
    done.add(hour);
    for (const stored of await input.eventsInHour(hour)) {
      const { storedKey, storedHour, ...e } = stored;
      if ((storedKey !== undefined && storedKey !== eventKey(e)) || (storedHour !== undefined && storedHour !== hourOf(e.at))) {
        throw new Broken(e.id, 'event stored out of its place (moved or reordered)');
      }
      counts.events++;
      const entry = named.get(eventKey(e));
      if (!entry) {
        if (horizon === undefined || Date.parse(e.at) < horizon) throw new Broken(e.id, 'event inserted into a sealed range');
        counts.unsealed++;
        continue;
      }
      named.delete(eventKey(e));
      const { hash: storedHash, ...rest } = e;
      if (storedHash !== entry.hash || eventHash(rest) !== entry.hash) throw new Broken(entry.id, 'sealed event does not match its seal (edited)');
    }
    for (const entry of named.values()) {
      if (input.now < Date.parse(entry.at) + entry.retentionDays * DAY_MS) throw new Broken(entry.id, 'sealed event deleted before its retention ended');
      counts.expired++;
    }
  };

  /** Checks, in order, every hour not yet checked that ends by `limit` and holds events or entries. */
  const checkHoursBefore = async (limit: number, horizon?: number) => {
    const due = [...open.keys()].filter((h) => h + HOUR_MS <= limit);
    while (nextHour < hoursWithEvents.length && hoursWithEvents[nextHour]! + HOUR_MS <= limit) due.push(hoursWithEvents[nextHour++]!);
    for (const hour of [...new Set(due)].sort((a, b) => a - b)) if (!done.has(hour)) await checkHour(hour, horizon);
  };

  for await (const s of input.seals) {
    const h = s.header;
    const id = sealId(h.seq);
    if (!verifySignature('sha256', sealMessage(h), key, Buffer.from(s.signature, 'base64'))) throw new Broken(id, 'seal signature does not verify (edited or forged seal)');
    if (sealHash(h) !== s.hash) throw new Broken(id, 'seal hash does not match its header');
    if (s.entries.length !== h.count || merkleRoot(s.entries) !== h.root) throw new Broken(id, 'seal entries do not match its signed root and count');
    for (let i = 1; i < s.entries.length; i++) {
      if (s.entries[i - 1]! >= s.entries[i]!) throw new Broken(id, 'seal entries are not in canonical order');
    }
    if (prev && h.seq <= prev.header.seq) throw new Broken(id, 'seal out of sequence');
    if (prev && prev.header.seq === h.seq - 1) {
      if (h.prevHash !== prev.hash) throw new Broken(id, 'seal does not link to the seal before it');
    } else if (h.seq === 1) {
      if (h.prevHash !== GENESIS) throw new Broken(id, 'first seal does not start the trail');
    } else if (!h.prevSealedAt || input.now < Date.parse(h.prevSealedAt) + h.retentionDays * DAY_MS + SEAL_RETENTION_MARGIN_MS) {
      throw new Broken(sealId(h.seq - 1), 'seal deleted before its retention ended');
    }
    seqs.add(h.seq);
    oldest = Math.min(oldest, h.seq);
    counts.seals++;
    // No seal from this one on scans before its scanFrom: the hours that end by then are complete.
    const scanFrom = Date.parse(h.scanFrom);
    await checkHoursBefore(scanFrom);
    for (const entry of s.entries) {
      const { key: k, hash, id: eventId, at } = parseEntry(entry);
      const hour = hourOf(at);
      if (hour + HOUR_MS <= scanFrom) throw new Broken(eventId, 'event named outside its seal\'s scan (named twice, or forged)');
      const named = open.get(hour) ?? new Map<string, Named>();
      if (named.has(k)) throw new Broken(eventId, 'event named by two seals');
      named.set(k, { hash, id: eventId, at, retentionDays: h.retentionDays });
      open.set(hour, named);
    }
    prev = s;
  }

  const newest = prev?.header.seq ?? 0;
  for (const seq of [...(input.archived ?? [])].sort((a, b) => a - b)) {
    if (seq > newest) throw new Broken(sealId(seq), 'seal missing from the table but archived (deleted tail)');
    if (seq > oldest && !seqs.has(seq)) throw new Broken(sealId(seq), 'seal missing from the table but archived');
  }

  // A sealer run picks up events from the last scan minus LOOKBACK_MS; anything older that no seal
  // names can only have been put there afterwards.
  const horizon = prev ? Date.parse(prev.header.scannedThrough) - LOOKBACK_MS : -Infinity;
  await checkHoursBefore(Infinity, horizon);
  return { intact: true, ...counts, sealedThrough: prev?.header.scannedThrough ?? null };
}
