import { api, ok } from '#shared/http/api';
import { SCOPES } from '#shared/http/scopes';
import { parseWith } from '#shared/http/validate';
import { metrics } from '#shared/adapters/observability/powertools';
import { checkProvenance } from '#shared/provenance/provenance';
import { ProvenanceRequest } from '#shared/provenance/schemas';
import { provenanceDeps } from '#shared/wiring/runtime';

/** POST /v1/provenance: did this service send this exact text to this number, and who did? */
export const handler = api({ scope: SCOPES.auditRead }).handler(async (event) => {
  const input = parseWith(ProvenanceRequest, event.json);
  const answer = await checkProvenance(await provenanceDeps(), event.caller.clientId, input);
  metrics.addMetric('ProvenanceChecked', 'Count', 1);
  return ok(answer);
});
