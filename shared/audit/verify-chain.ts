import { eventHash, GENESIS_HASH, type AuditEvent } from './event.ts';

export type ChainVerdict = { intact: true; events: number } | { intact: false; events: number; brokenAt: string; reason: string };

/**
 * Checks one chain, events in seq order: every hash recomputes, every event links to the one before
 * it, seqs have no gaps, and the last event is the one the head names. `firstRetainedSeq` > 1 means
 * retention (TTL) removed older events: the first retained event's link can't be checked.
 */
export function verifyChain(
  chain: string,
  events: readonly AuditEvent[],
  head: { seq: number; hash: string } | undefined,
): ChainVerdict {
  let prev: AuditEvent | undefined;
  for (const e of events) {
    const id = e.id ?? `${chain}-${e.seq}`;
    if (e.chain !== chain) return broken(events, id, 'event stored under another chain');
    const { hash, ...rest } = e;
    if (eventHash(rest) !== hash) return broken(events, id, 'event content does not match its hash');
    if (prev) {
      if (e.seq !== prev.seq + 1) return broken(events, id, `missing event(s) before seq ${e.seq}`);
      if (e.prevHash !== prev.hash) return broken(events, id, 'event does not link to the one before it');
    } else if (e.seq === 1 && e.prevHash !== GENESIS_HASH) {
      return broken(events, id, 'first event does not start the chain');
    }
    prev = e;
  }
  if (head && (!prev || prev.seq !== head.seq || prev.hash !== head.hash)) {
    return broken(events, prev ? `${chain}-${prev.seq + 1}` : `${chain}-1`, 'events after this point are missing');
  }
  return { intact: true, events: events.length };
}

function broken(events: readonly AuditEvent[], brokenAt: string, reason: string): ChainVerdict {
  return { intact: false, events: events.length, brokenAt, reason };
}
