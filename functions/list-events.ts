import { listEvents } from '#shared/events/feed';
import { ListEventsQuery } from '#shared/events/schemas';
import { api, ok } from '#shared/http/api';
import { SCOPES } from '#shared/http/scopes';
import { parseWith } from '#shared/http/validate';
import { eventFeedDeps } from '#shared/wiring/runtime';

/** GET /v1/events?after=&types=&limit= : the caller's events of the last 30 days, oldest first. */
export const handler = api({ scope: SCOPES.eventsRead }).handler(async (event) => {
  const query = parseWith(ListEventsQuery, event.queryStringParameters ?? {});
  return ok(await listEvents(eventFeedDeps(), event.caller, query));
});
