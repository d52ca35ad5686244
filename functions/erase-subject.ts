import { api, ok } from '#shared/http/api';
import { SCOPES } from '#shared/http/scopes';
import { metrics } from '#shared/adapters/observability/powertools';
import { subjectDeps } from '#shared/wiring/runtime';
import { subjectOf } from '#shared/http/subject';
import { eraseSubject } from '#shared/subjects/subjects';

/** POST /v1/subjects/erase (and the deprecated DELETE /v1/subjects/{phone}): erase everything but an opt-out; answers with counts. */
export const handler = api({ scope: SCOPES.subjectsManage }).handler(async (event) => {
  const erased = await eraseSubject(await subjectDeps(), event.caller.clientId, subjectOf(event));
  metrics.addMetric('SubjectErased', 'Count', 1);
  return ok(erased);
});
