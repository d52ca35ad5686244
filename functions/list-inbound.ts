import { api, ok } from '#shared/http/api';
import { SCOPES } from '#shared/http/scopes';
import { parseWith } from '#shared/http/validate';
import { listInbound } from '#shared/inbound/receive';
import { InboundQuery } from '#shared/inbound/schemas';
import { metrics } from '#shared/adapters/observability/powertools';
import { inboundReadDeps } from '#shared/wiring/runtime';

/** GET /v1/inbound?since=&cursor= : texts people sent to the business, oldest first. */
export const handler = api({ scope: SCOPES.inboundRead }).handler(async (event) => {
  const query = parseWith(InboundQuery, event.queryStringParameters ?? {});
  const page = await listInbound(inboundReadDeps(), query);
  metrics.addMetric('InboundListed', 'Count', 1);
  return ok(page);
});
