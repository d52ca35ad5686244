import type { NewAuditEvent } from '../audit/event.ts';

/**
 * Timely `verification.expired` and `message.expired`: TTL deletes days late and announces
 * nothing, so a one-minute sweep reads the records that expired since its last run (an index by
 * expiry minute) and closes each with its audit event in one conditional write; the event then
 * flows like any other (events/publish.ts). A message's sealed body goes at the same moment.
 */
export type DueRecord = {
  kind: 'otp' | 'message';
  id: string;
  bucket: string;
  clientId: string;
  status: string;
  expiresAt: number;
  attempts?: number;
  maxAttempts?: number;
  phoneIndex?: string;
  phoneMask?: string;
};

export interface ExpiryStore {
  /** Records filed under this expiry minute (every shard). */
  due(minute: string): Promise<DueRecord[]>;
  /** Closes the record as expired if it is still open and filed under this bucket; false if not. */
  expire(r: DueRecord, nowMs: number, event: NewAuditEvent): Promise<boolean>;
  lastSwept(): Promise<string | undefined>;
  setLastSwept(minute: string): Promise<void>;
}

const MINUTE = 60_000;
const minuteOf = (ms: number) => new Date(ms).toISOString().slice(0, 16);
/** How far back a first (or long-interrupted) sweep looks. */
const MAX_LOOKBACK_MINUTES = 24 * 60;

const stillOpen = (r: DueRecord) =>
  r.kind === 'otp' ? r.status === 'pending' && (r.attempts ?? 0) < (r.maxAttempts ?? Number.POSITIVE_INFINITY) : r.status === 'sent' || r.status === 'opened';

export async function sweepExpiries(deps: { expiries: ExpiryStore; now: () => number }): Promise<{ minutes: number; expired: number }> {
  const now = deps.now();
  const last = await deps.expiries.lastSwept();
  const first = last ? Date.parse(`${last}:00Z`) + MINUTE : now - 10 * MINUTE;
  let from = Math.max(first, now - MAX_LOOKBACK_MINUTES * MINUTE);
  from -= from % MINUTE;
  let expired = 0;
  let minutes = 0;
  for (let t = from; t <= now; t += MINUTE) {
    const minute = minuteOf(t);
    for (const r of await deps.expiries.due(minute)) {
      if (r.expiresAt > now || !stillOpen(r)) continue;
      const event: NewAuditEvent = {
        actor: 'system', action: r.kind === 'otp' ? 'otp.expired' : 'message.expired', outcome: 'expired', resource: r.id, owner: r.clientId,
        ...(r.phoneIndex ? { subjectIndex: r.phoneIndex } : {}), ...(r.phoneMask ? { subjectMask: r.phoneMask } : {}),
      };
      if (await deps.expiries.expire(r, now, event)) expired++;
    }
    minutes++;
  }
  // The current minute is read again next time: more of it may expire before then.
  const done = minuteOf(now - MINUTE);
  if (!last || done > last) await deps.expiries.setLastSwept(done);
  return { minutes, expired };
}
