import { createPublicKey, verify as verifySignature } from 'node:crypto';
import { eventHash, eventKey, type AuditEvent } from './event.ts';
import {
  GENESIS, LOOKBACK_MS, merkleRoot, parseEntry, SEAL_RETENTION_MARGIN_MS, sealHash, sealId, sealMessage, type Seal,
} from './seal.ts';

export type TrailVerdict =
  | { intact: true; events: number; seals: number; sealedThrough: string | null; unsealed: number; expired: number }
  | { intact: false; brokenAt: string; reason: string };

const DAY_MS = 86_400_000;

/**
 * Checks the whole trail: every seal's signature, hash and link to the one before; every sealed
 * event against the hash its seal names; events no seal names that are older than any sealer would
 * still pick up (insertions); seals missing from the table that the write-once archive holds
 * (a deleted seal or tail). Missing items are told apart from retention by their own expiry: an
 * event is gone legitimately only once `at + retentionDays` has passed, a seal once its
 * successor's `prevSealedAt + retentionDays + margin` has.
 */
export function verifyTrail(input: {
  /** As stored; `storedKey` is the sort key the item sits under, where the store knows it. */
  events: readonly (AuditEvent & { storedKey?: string })[];
  seals: readonly Seal[];
  /** Seqs in the archive (S3 Object Lock / .local/seals); undefined when not available. */
  archived?: readonly number[];
  publicKeyPem: string;
  now: number;
}): TrailVerdict {
  const key = createPublicKey(input.publicKeyPem);
  const seals = [...input.seals].sort((a, b) => a.header.seq - b.header.seq);
  const bySeq = new Map(seals.map((s) => [s.header.seq, s]));
  const broken = (brokenAt: string, reason: string): TrailVerdict => ({ intact: false, brokenAt, reason });

  for (const s of seals) {
    const h = s.header;
    const id = sealId(h.seq);
    if (!verifySignature('sha256', sealMessage(h), key, Buffer.from(s.signature, 'base64'))) return broken(id, 'seal signature does not verify (edited or forged seal)');
    if (sealHash(h) !== s.hash) return broken(id, 'seal hash does not match its header');
    if (s.entries.length !== h.count || merkleRoot(s.entries) !== h.root) return broken(id, 'seal entries do not match its signed root and count');
    for (let i = 1; i < s.entries.length; i++) {
      if (s.entries[i - 1]! >= s.entries[i]!) return broken(id, 'seal entries are not in canonical order');
    }
    const prev = bySeq.get(h.seq - 1);
    if (prev) {
      if (h.prevHash !== prev.hash) return broken(id, 'seal does not link to the seal before it');
    } else if (h.seq === 1) {
      if (h.prevHash !== GENESIS) return broken(id, 'first seal does not start the trail');
    } else if (!h.prevSealedAt || input.now < Date.parse(h.prevSealedAt) + h.retentionDays * DAY_MS + SEAL_RETENTION_MARGIN_MS) {
      return broken(sealId(h.seq - 1), 'seal deleted before its retention ended');
    }
  }

  const archived = input.archived ?? [];
  const newest = seals.at(-1)?.header.seq ?? 0;
  const oldest = seals[0]?.header.seq ?? Infinity;
  for (const seq of [...archived].sort((a, b) => a - b)) {
    if (seq > newest) return broken(sealId(seq), 'seal missing from the table but archived (deleted tail)');
    if (seq > oldest && !bySeq.has(seq)) return broken(sealId(seq), 'seal missing from the table but archived');
  }

  const moved = input.events.find((e) => e.storedKey !== undefined && e.storedKey !== eventKey(e));
  if (moved) return broken(moved.id, 'event stored out of its place (moved or reordered)');
  const events = new Map(input.events.map(({ storedKey: _k, ...e }) => [eventKey(e), e as AuditEvent]));
  const sealedKeys = new Set<string>();
  let expired = 0;
  for (const s of seals) {
    for (const entry of s.entries) {
      const { key: k, hash, id, at } = parseEntry(entry);
      if (sealedKeys.has(k)) return broken(id, 'event named by two seals');
      sealedKeys.add(k);
      const e = events.get(k);
      if (!e) {
        if (input.now < Date.parse(at) + s.header.retentionDays * DAY_MS) return broken(id, 'sealed event deleted before its retention ended');
        expired++;
        continue;
      }
      const { hash: stored, ...rest } = e;
      if (stored !== hash || eventHash(rest) !== hash) return broken(id, 'sealed event does not match its seal (edited)');
    }
  }

  const latest = seals.at(-1);
  // A sealer run picks up events from the last scan minus LOOKBACK_MS; anything older that no seal
  // names can only have been put there afterwards.
  const horizon = latest ? Date.parse(latest.header.scannedThrough) - LOOKBACK_MS : -Infinity;
  let unsealed = 0;
  for (const [k, e] of events) {
    if (sealedKeys.has(k)) continue;
    if (Date.parse(e.at) < horizon) return broken(e.id, 'event inserted into a sealed range');
    unsealed++;
  }
  return {
    intact: true,
    events: events.size,
    seals: seals.length,
    sealedThrough: latest?.header.scannedThrough ?? null,
    unsealed,
    expired,
  };
}
