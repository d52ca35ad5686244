import { z } from 'zod';
import { E164String } from '../otp/schemas.ts';
import type { DynamoAuditReader } from '../store/audit-reader.ts';
import { chainOf, type AuditEvent } from './event.ts';

export const AuditQuery = z.strictObject({
  to: E164String.optional(),
  from: z.iso.datetime().optional(),
  until: z.iso.datetime().optional(),
  cursor: z.string().regex(/^[\w-]{1,512}$/).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(100),
});

const Event = z.object({
  id: z.string(), at: z.iso.datetime(), actor: z.string(), action: z.string(), subject: z.string().optional(), outcome: z.string(),
  resource: z.string().optional(), hash: z.string(), prevHash: z.string(),
});
export const AuditPage = z.object({ events: z.array(Event), nextCursor: z.string().optional() }).meta({ id: 'AuditPage' });
export const AuditVerdict = z
  .object({ intact: z.boolean(), events: z.number().int(), brokenAt: z.string().optional(), reason: z.string().optional() })
  .meta({ id: 'AuditVerdict' });

export const publicEvent = (e: AuditEvent) => ({
  id: e.id, at: e.at, actor: e.actor, action: e.action, ...(e.subjectMask ? { subject: e.subjectMask } : {}), outcome: e.outcome,
  ...(e.resource ? { resource: e.resource } : {}), hash: e.hash, prevHash: e.prevHash,
});

/**
 * GET /v1/audit. With `to`, only that number's chain is read (a number always lands in one chain)
 * and filtered by its blind index; without, all chains. The cursor is an offset into the result in
 * `at` order, base64url; fine for an audit console, not meant for bulk export.
 */
export async function listAudit(reader: DynamoAuditReader, q: { subjectIndex?: string; from?: string; until?: string; cursor?: string; limit: number }) {
  const chains = q.subjectIndex ? [chainOf(q.subjectIndex)] : Array.from({ length: 8 }, (_, i) => `c${i}`);
  const all = (await Promise.all(chains.map((c) => reader.chain(c)))).flat();
  const from = q.from ?? '';
  const until = q.until ?? '\uffff';
  const matching = all
    .filter((e) => (!q.subjectIndex || e.subjectIndex === q.subjectIndex) && e.at >= from && e.at <= until)
    .sort((a, b) => a.at.localeCompare(b.at) || a.id.localeCompare(b.id));
  const offset = q.cursor ? Number(Buffer.from(q.cursor, 'base64url').toString('utf8')) || 0 : 0;
  const page = matching.slice(offset, offset + q.limit);
  const next = offset + q.limit < matching.length ? Buffer.from(String(offset + q.limit)).toString('base64url') : undefined;
  return { events: page.map(publicEvent), ...(next ? { nextCursor: next } : {}) };
}
