import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { eventHash, eventKey, type AuditEvent } from '#shared/audit/event';
import { entryOf, GENESIS, LOOKBACK_MS, merkleRoot, PAGE_SIZE, sealHash, sealMessage, type Seal, type SealHeader } from '#shared/audit/seal';
import { verifyTrail, type StoredEvent } from '#shared/audit/verify-trail';

/**
 * A trail that exists only as it is read: `hours` hours of `perHour` events each, one signed seal
 * per hour, regenerated on every read, so a test can check a trail far larger than the process
 * may hold. `node --import tsx test/support/synthetic-trail.ts <hours> <perHour> [verify|hold] [tamper]`
 * prints the verdict as JSON (verify) or tries to hold every event at once (hold).
 */
const HOUR_MS = 3_600_000;
const START = Date.UTC(2026, 0, 1);
const hex = (s: string) => createHash('sha256').update(s).digest('hex');

function eventsOf(hour: number, perHour: number, tamper?: string): StoredEvent[] {
  return Array.from({ length: perHour }, (_, i) => {
    const at = new Date(START + hour * HOUR_MS + Math.floor((i * HOUR_MS) / perHour)).toISOString();
    const e = { id: `e${hour}-${String(i).padStart(6, '0')}`, at, actor: `client-${i % 7}`, action: 'otp.issue' as const, outcome: 'pending',
      subjectIndex: hex(`n${hour}-${i}`), subjectMask: '+44******3456', resource: `v_${hex(`r${hour}-${i}`).slice(0, 26)}` };
    const event: AuditEvent = { ...e, hash: eventHash(e) };
    // A tampered copy keeps its stored hash: only the content changed.
    const stored = tamper === event.id ? { ...event, outcome: 'approved' } : event;
    return { ...stored, storedKey: eventKey(event), storedHour: START + hour * HOUR_MS };
  });
}

export function syntheticTrail(hours: number, perHour: number, tamper?: string) {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  async function* seals(): AsyncGenerator<Seal> {
    let prev: Seal | undefined;
    for (let hour = 0; hour < hours; hour++) {
      const entries = eventsOf(hour, perHour).map((e) => entryOf(eventKey(e), e.hash)).sort();
      const start = START + hour * HOUR_MS;
      const header: SealHeader = {
        v: 1, seq: hour + 1, prevHash: prev?.hash ?? GENESIS, prevSealedAt: prev?.header.sealedAt ?? null, root: merkleRoot(entries), count: entries.length,
        firstAt: new Date(start).toISOString(), lastAt: new Date(start + HOUR_MS - 1).toISOString(),
        sealedAt: new Date(start + HOUR_MS + LOOKBACK_MS + 1).toISOString(),
        // Each seal scans its hour; the next one starts where this one ended, minus the lookback.
        scanFrom: new Date(start).toISOString(), scannedThrough: new Date(start + HOUR_MS + LOOKBACK_MS).toISOString(),
        retentionDays: 400, pages: Math.ceil(entries.length / PAGE_SIZE),
      };
      prev = { header, hash: sealHash(header), signature: sign('sha256', sealMessage(header), privateKey).toString('base64'), entries };
      yield prev;
    }
  }
  return {
    verify: () => verifyTrail({
      seals: seals(), eventHours: Array.from({ length: hours }, (_, h) => START + h * HOUR_MS),
      eventsInHour: (hourMs) => Promise.resolve(eventsOf((hourMs - START) / HOUR_MS, perHour, tamper)),
      publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), now: START + (hours + 1) * HOUR_MS,
    }),
    /** What a check that read the whole trail first would hold. */
    hold: () => Array.from({ length: hours }, (_, h) => eventsOf(h, perHour)),
  };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const [hours, perHour, mode, tamper] = process.argv.slice(2);
  const trail = syntheticTrail(Number(hours), Number(perHour), tamper);
  if (mode === 'hold') process.stdout.write(`${trail.hold().length}\n`);
  else process.stdout.write(`${JSON.stringify({ verdict: await trail.verify(), heapMiB: Math.round(process.memoryUsage().heapUsed / 1048576) })}\n`);
}
