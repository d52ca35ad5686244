import { putConsent } from '#shared/consent/consent';
import { PutConsentRequest } from '#shared/consent/schemas';
import { api, ok } from '#shared/http/api';
import { SCOPES } from '#shared/http/scopes';
import { parseWith } from '#shared/http/validate';
import { metrics } from '#shared/adapters/observability/powertools';
import { consentDeps } from '#shared/wiring/runtime';

/** PUT /v1/consents: record an opt-in or opt-out; every change is kept. */
export const handler = api({ scope: SCOPES.consentWrite }).handler(async (event) => {
  const input = parseWith(PutConsentRequest, event.json);
  const view = await putConsent(await consentDeps(), event.caller.clientId, input);
  metrics.addMetric('ConsentChanged', 'Count', 1);
  return ok(view);
});
