import { getConsents } from '#shared/consent/consent';
import { ConsentQuery } from '#shared/consent/schemas';
import { api, ok } from '#shared/http/api';
import { SCOPES } from '#shared/http/scopes';
import { parseWith } from '#shared/http/validate';
import { metrics } from '#shared/observability';
import { consentReadDeps } from '#shared/runtime';

/** GET /v1/consents?to= : the current state and the history of changes. */
export const handler = api({ scope: SCOPES.consentRead }).handler(async (event) => {
  const { to } = parseWith(ConsentQuery, event.queryStringParameters ?? {});
  const view = await getConsents(await consentReadDeps(), to);
  metrics.addMetric('ConsentRead', 'Count', 1);
  return ok(view);
});
