import { api, ok } from '#shared/http/api';
import { phonePath } from '#shared/http/path';
import { SCOPES } from '#shared/http/scopes';
import { metrics } from '#shared/observability';
import { subjectDeps } from '#shared/runtime';
import { eraseSubject } from '#shared/subjects/subjects';

/** DELETE /v1/subjects/{phone}: erase everything but an opt-out; answers with counts. */
export const handler = api({ scope: SCOPES.subjectsManage }).handler(async (event) => {
  const erased = await eraseSubject(await subjectDeps(), event.caller.clientId, phonePath(event));
  metrics.addMetric('SubjectErased', 'Count', 1);
  return ok(erased);
});
