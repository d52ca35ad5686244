import { getConsents } from '#shared/consent/consent';
import { ConsentLookupRequest, ConsentQuery } from '#shared/consent/schemas';
import { api, ok } from '#shared/http/api';
import { SCOPES } from '#shared/http/scopes';
import { parseWith } from '#shared/http/validate';
import { metrics } from '#shared/adapters/observability/powertools';
import { consentReadDeps } from '#shared/wiring/runtime';

/** POST /v1/consents/lookup (and the deprecated GET /v1/consents?to=): the current state and the history of changes. */
export const handler = api({ scope: SCOPES.consentRead }).handler(async (event) => {
  const person = event.httpMethod === 'POST' ? parseWith(ConsentLookupRequest, event.json) : parseWith(ConsentQuery, event.queryStringParameters ?? {});
  const view = await getConsents(await consentReadDeps(), person);
  metrics.addMetric('ConsentRead', 'Count', 1);
  return ok(view);
});
