import { z } from 'zod';
import { ValidationFailed } from '../errors.ts';
import { E164String } from '../otp/schemas.ts';
import { eventKey, type AuditEvent } from './event.ts';
import { parseEntry, sealId, type Seal } from './seal.ts';

export const AuditQuery = z.strictObject({
  to: E164String.optional(),
  from: z.iso.datetime().optional(),
  until: z.iso.datetime().optional(),
  cursor: z.string().regex(/^[\w-]{1,512}$/).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(100),
});

const Event = z.object({
  id: z.string(), at: z.iso.datetime(), actor: z.string(), action: z.string(), subject: z.string().optional(), outcome: z.string(),
  resource: z.string().optional(), seal: z.string().optional().describe('The seal that covers the event; absent until sealed'),
});
export const AuditPage = z.object({ events: z.array(Event), nextCursor: z.string().optional() }).meta({ id: 'AuditPage' });
export const AuditVerdict = z
  .object({
    intact: z.boolean(),
    events: z.number().int().optional(),
    seals: z.number().int().optional(),
    sealedThrough: z.iso.datetime().nullable().optional(),
    unsealed: z.number().int().optional(),
    expired: z.number().int().optional().describe('Sealed events removed by retention'),
    brokenAt: z.string().optional(),
    reason: z.string().optional(),
  })
  .meta({ id: 'AuditVerdict' });
export const AuditPublicKey = z
  .object({ algorithm: z.literal('ECDSA_SHA_256'), publicKeyPem: z.string() })
  .meta({ id: 'AuditPublicKey' });

export type AuditListPage = { events: AuditEvent[]; more: boolean };

/** The port the audit readers use; DynamoDB implements it (store/audit-trail-store.ts). */
export interface AuditReader {
  /** Events in time order after the key `after`, up to `until`. */
  inOrder(q: { after: string; until: string; limit: number }): Promise<AuditListPage>;
  bySubject(subjectIndex: string, q: { from: string; until: string }): Promise<AuditEvent[]>;
  byResource(resource: string, q: { from: string; until: string }): Promise<AuditEvent[]>;
  sealsCovering(fromAt: string, toAt: string): Promise<Seal[]>;
}

/** The widest window one listing may span: an empty hour still costs a query per shard. */
const MAX_WINDOW_MS = 31 * 86_400_000;
const DEFAULT_WINDOW_MS = 86_400_000;

/**
 * GET /v1/audit: events oldest first, subjects masked. With `to`, the number's events and every
 * event of its verifications and messages (a right code or a revoke names only its resource: that
 * path reads nothing, so it cannot know the number). Each event says which seal covers it.
 */
export async function listAudit(reader: AuditReader, q: { subjectIndex?: string; from?: string; until?: string; cursor?: string; limit: number }, nowMs: number) {
  const until = q.until ?? new Date(nowMs).toISOString();
  const from = q.from ?? new Date(Date.parse(until) - DEFAULT_WINDOW_MS).toISOString();
  if (Date.parse(until) - Date.parse(from) > MAX_WINDOW_MS || from > until) {
    throw new ValidationFailed([{ path: 'from', message: 'from must be before until, at most 31 days apart' }]);
  }
  const after = q.cursor ? Buffer.from(q.cursor, 'base64url').toString('utf8') : from;

  let page: AuditEvent[];
  let more: boolean;
  if (q.subjectIndex) {
    const own = await reader.bySubject(q.subjectIndex, { from, until });
    const resources = [...new Set(own.map((e) => e.resource).filter((r): r is string => !!r))];
    const related = (await Promise.all(resources.map((r) => reader.byResource(r, { from, until })))).flat();
    const all = [...new Map([...own, ...related].map((e) => [e.id, e])).values()]
      .filter((e) => eventKey(e) > after)
      .sort((a, b) => (eventKey(a) < eventKey(b) ? -1 : 1));
    page = all.slice(0, q.limit);
    more = all.length > q.limit;
  } else {
    ({ events: page, more } = await reader.inOrder({ after, until, limit: q.limit }));
  }

  const sealOf = new Map<string, string>();
  if (page.length) {
    for (const s of await reader.sealsCovering(page[0]!.at, page.at(-1)!.at)) {
      for (const entry of s.entries) sealOf.set(parseEntry(entry).key, sealId(s.header.seq));
    }
  }
  const last = page.at(-1);
  return {
    events: page.map((e) => publicEvent(e, sealOf.get(eventKey(e)))),
    ...(more && last ? { nextCursor: Buffer.from(eventKey(last)).toString('base64url') } : {}),
  };
}

const publicEvent = (e: AuditEvent, seal?: string) => ({
  id: e.id, at: e.at, actor: e.actor, action: e.action, ...(e.subjectMask ? { subject: e.subjectMask } : {}), outcome: e.outcome,
  ...(e.resource ? { resource: e.resource } : {}), ...(seal ? { seal } : {}),
});
