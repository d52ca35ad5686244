import { api, ok } from '#shared/http/api';
import { SCOPES } from '#shared/http/scopes';
import { metrics } from '#shared/adapters/observability/powertools';
import { subjectDeps } from '#shared/wiring/runtime';
import { subjectOf } from '#shared/http/subject';
import { exportSubject } from '#shared/subjects/subjects';

/** POST /v1/subjects/export (and the deprecated GET /v1/subjects/{phone}/export): everything held about a number, decrypted (a subject access request). */
export const handler = api({ scope: SCOPES.subjectsManage }).handler(async (event) => {
  const data = await exportSubject(await subjectDeps(), event.caller.clientId, subjectOf(event));
  metrics.addMetric('SubjectExported', 'Count', 1);
  return ok(data);
});
