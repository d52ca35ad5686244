import { createHash } from 'node:crypto';
import type { AuditEvent } from './event.ts';

/**
 * Seals, as AWS CloudTrail's digest files: a seal names the events it covers (their keys and
 * hashes, in canonical order, under a Merkle root), links to the previous seal's hash and is
 * signed with an asymmetric key only the sealer may use. Anyone with the public key can check a
 * seal without AWS access (docs/audit.md). Naming events, not a time range, means a transaction
 * that commits late simply lands in the next seal.
 */
export type SealHeader = {
  v: 1;
  seq: number;
  /** Hash of the previous seal (GENESIS for the first one). */
  prevHash: string;
  /** When the previous seal was made: tells retention of it from deletion. */
  prevSealedAt: string | null;
  /** Merkle root over the entries. */
  root: string;
  count: number;
  firstAt: string;
  lastAt: string;
  sealedAt: string;
  /** The sealer read every event committed with `at` in [scanFrom, scannedThrough]. */
  scanFrom: string;
  scannedThrough: string;
  retentionDays: number;
  /** Entries are stored in pages of at most PAGE_SIZE. */
  pages: number;
};

/** One sealed event: `<eventKey>|<hash>`. */
export type SealEntry = string;
export type Seal = { header: SealHeader; signature: string; hash: string; entries: SealEntry[] };

export const GENESIS = '0'.repeat(64);
export const PAGE_SIZE = 1_000;
/** How late a transaction may commit after its `at` and still be sealed (writers time out far sooner). */
export const LOOKBACK_MS = 5 * 60_000;
/** A seal outlives its newest event by this much, so a seal is only gone once all its events are. */
export const SEAL_RETENTION_MARGIN_MS = 86_400_000;
/** The first run of a sealer with no seal yet looks back this far. */
export const FIRST_RUN_WINDOW_MS = 24 * 3_600_000;

export const sealId = (seq: number) => `seal-${seq}`;
export const entryOf = (key: string, hash: string): SealEntry => `${key}|${hash}`;
export function parseEntry(entry: SealEntry): { key: string; hash: string; id: string; at: string } {
  const bar = entry.lastIndexOf('|');
  const key = entry.slice(0, bar);
  const hash = entry.slice(bar + 1);
  const hashAt = key.lastIndexOf('#');
  return { key, hash, at: key.slice(0, hashAt), id: key.slice(hashAt + 1) };
}

/** The exact bytes that are signed: the header as JSON with its keys in a fixed order. */
export function sealMessage(h: SealHeader): Buffer {
  const ordered = {
    v: h.v, seq: h.seq, prevHash: h.prevHash, prevSealedAt: h.prevSealedAt, root: h.root, count: h.count, firstAt: h.firstAt,
    lastAt: h.lastAt, sealedAt: h.sealedAt, scanFrom: h.scanFrom, scannedThrough: h.scannedThrough, retentionDays: h.retentionDays, pages: h.pages,
  };
  return Buffer.from(JSON.stringify(ordered), 'utf8');
}

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');
export const sealHash = (h: SealHeader) => sha256(sealMessage(h));

/** RFC 6962 style: leaves and nodes hashed with distinct prefixes, an odd node promoted as is. */
export function merkleRoot(entries: readonly SealEntry[]): string {
  if (entries.length === 0) return sha256('');
  let level: Buffer[] = entries.map((e) => createHash('sha256').update(Buffer.from([0])).update(e).digest());
  while (level.length > 1) {
    const next: Buffer[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const right = level[i + 1];
      next.push(right ? createHash('sha256').update(Buffer.from([1])).update(level[i]!).update(right).digest() : level[i]!);
    }
    level = next;
  }
  return level[0]!.toString('hex');
}

/** Signs seals; only the sealer holds one that can sign. */
export interface SealSigner {
  sign(message: Buffer): Promise<Buffer>;
}
/** The public half, for anyone who verifies. */
export interface SealKey {
  publicKeyPem(): Promise<string>;
}

/** The write-once copy of every seal outside the table (S3 Object Lock in AWS, `.local/seals/` locally). */
export interface SealArchive {
  put(seal: Seal): Promise<void>;
  has(seq: number): Promise<boolean>;
  /** Sequence numbers of every archived seal. */
  seqs(): Promise<number[]>;
}

/** The sealer's view of the audit table. */
export interface SealStore {
  latest(): Promise<Seal | undefined>;
  /** Seals made at or after this time, with their entries. */
  sealsSince(sealedAtMs: number): Promise<Seal[]>;
  /** Every event with `at` in [fromMs, toMs], as stored. */
  eventsBetween(fromMs: number, toMs: number): Promise<AuditEvent[]>;
  /** Entries first, the header last and only if its seq is free. False when another sealer took the seq. */
  write(seal: Seal): Promise<boolean>;
}

/** The file an auditor gets: what was signed, the signature (DER, base64) and the entries. */
export function sealFile(seal: Seal) {
  return { ...seal, signedMessage: sealMessage(seal.header).toString('utf8'), algorithm: 'ECDSA_SHA_256' as const };
}
