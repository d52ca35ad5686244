import { ValidationFailed } from '../errors.ts';
import { SCOPES } from '../http/scopes.ts';
import { audienceKey, matchesTypes, type Audience, type CloudEvent } from './cloud-event.ts';

/**
 * GET /v1/events: a client's events of the last 30 days, oldest first, for polling and for replay
 * after an outage. The feed files each event at the publisher's clock (`<publishedAt>#<n>#<id>`), and
 * a page never reaches into the last SETTLE_MS: an event still being written then cannot land
 * behind a cursor already handed out. Ids are stable, so a reader that also takes webhooks can
 * drop duplicates.
 */
export const FEED_DAYS = 30;
export const SETTLE_MS = 10_000;

export type FeedItem = { position: string; event: CloudEvent };
/** One audience's slice: `more` when the query stopped at `limit` items before `until`. */
export type FeedSlice = { items: FeedItem[]; more: boolean };

/** The reading side of the feed (adapters/store/event-feed-store.ts). */
export interface EventFeedReader {
  slice(audience: string, after: string, until: string, limit: number): Promise<FeedSlice>;
}

export type ListEventsQuery = { after?: string; types?: string[]; limit: number };

const POSITION = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z(#\d{4}#[A-Za-z0-9_-]{1,64})?$/;
export const encodeCursor = (position: string) => Buffer.from(position).toString('base64url');
function decodeCursor(cursor: string): string {
  const position = Buffer.from(cursor, 'base64url').toString();
  if (!POSITION.test(position)) throw new ValidationFailed([{ path: 'after', message: 'Not a cursor this API issued' }]);
  return position;
}

/** The audiences a caller reads: its own, and the consent and inbound feeds if its token holds those scopes. */
function audiencesOf(caller: { clientId: string; scopes: ReadonlySet<string> }): Audience[] {
  return [
    { client: caller.clientId },
    ...(caller.scopes.has(SCOPES.consentRead) ? [{ scope: SCOPES.consentRead } as const] : []),
    ...(caller.scopes.has(SCOPES.inboundRead) ? [{ scope: SCOPES.inboundRead } as const] : []),
  ];
}

export async function listEvents(deps: { feed: EventFeedReader; now: () => number }, caller: { clientId: string; scopes: ReadonlySet<string> }, q: ListEventsQuery) {
  const now = deps.now();
  const oldest = new Date(now - FEED_DAYS * 86_400_000).toISOString();
  const until = new Date(now - SETTLE_MS).toISOString();
  const requested = q.after ? decodeCursor(q.after) : oldest;
  const after = requested < oldest ? oldest : requested;
  if (after >= until) return { events: [], nextCursor: encodeCursor(after) };

  // Type filters are applied after reading; each audience is read in pages of `limit` until
  // enough match or it is exhausted, so the merge below never skips an unread position.
  const slices = await Promise.all(audiencesOf(caller).map(async (a) => {
    const matched: FeedItem[] = [];
    let from = after;
    for (let pages = 0; pages < 5; pages++) {
      const slice = await deps.feed.slice(audienceKey(a), from, until, q.limit);
      matched.push(...slice.items.filter((i) => !q.types || matchesTypes(i.event.type, q.types)));
      if (!slice.more) return { matched, readTo: until };
      from = slice.items[slice.items.length - 1]!.position;
      if (matched.length >= q.limit) break;
    }
    return { matched, readTo: from };
  }));
  // Positions up to the least far-read audience are complete in every audience.
  const readTo = slices.reduce((min, s) => (s.readTo < min ? s.readTo : min), until);
  const merged = slices.flatMap((s) => s.matched).filter((i) => i.position <= readTo).sort((a, b) => (a.position < b.position ? -1 : 1)).slice(0, q.limit);
  const last = merged.length === q.limit ? merged[merged.length - 1]!.position : readTo;
  return { events: merged.map((i) => i.event), nextCursor: encodeCursor(last) };
}
