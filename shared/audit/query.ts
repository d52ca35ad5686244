import * as z from '../zod.ts';
import { described, intIn, textIntIn } from '../schema.ts';
import { ValidationFailed } from '../errors.ts';
import { E164String } from '../otp/schemas.ts';
import { eventKey, type AuditEvent } from './event.ts';
import { parseEntry, sealId, type Seal } from './seal.ts';

export const AuditQuery = z.strictObject({
  to: z.optional(E164String),
  from: z.optional(z.iso.datetime()),
  until: z.optional(z.iso.datetime()),
  cursor: z.optional(z.string().check(z.regex(/^[\w-]{1,512}$/))),
  limit: z._default(textIntIn(1, 200), 100),
});
/** POST /v1/audit/search: the same query in a body, so no number reaches a URL. */
export const AuditSearchRequest = described(
  z.strictObject({ ...AuditQuery.shape, limit: z._default(intIn(1, 200), 100) }),
  { id: 'AuditSearchRequest' },
);

const optionalInt = (description?: string) => (description ? described(z.optional(z.int()), { description }) : z.optional(z.int()));
const Event = z.object({
  id: z.string(), at: z.iso.datetime(), actor: z.string(), action: z.string(), subject: z.optional(z.string()), outcome: z.string(),
  resource: z.optional(z.string()), seal: described(z.optional(z.string()), { description: 'The seal that covers the event; absent until sealed' }),
});
export const AuditPage = described(z.object({ events: z.array(Event), nextCursor: z.optional(z.string()) }), { id: 'AuditPage' });
export const AuditVerdict = described(
  z.object({
    intact: z.boolean(),
    events: optionalInt(),
    seals: optionalInt(),
    sealedThrough: z.optional(z.nullable(z.iso.datetime())),
    unsealed: optionalInt(),
    expired: optionalInt('Sealed events removed by retention'),
    brokenAt: z.optional(z.string()),
    reason: z.optional(z.string()),
  }),
  { id: 'AuditVerdict' },
);
export const AuditPublicKey = described(
  z.object({ algorithm: z.literal('ECDSA_SHA_256'), publicKeyPem: z.string() }),
  { id: 'AuditPublicKey' },
);

export type AuditListPage = { events: AuditEvent[]; more: boolean };

/** The port the audit readers use; DynamoDB implements it (adapters/store/audit-trail-store.ts). */
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
