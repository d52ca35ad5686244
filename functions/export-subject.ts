import { api, ok } from '#shared/http/api';
import { phonePath } from '#shared/http/path';
import { SCOPES } from '#shared/http/scopes';
import { metrics } from '#shared/observability';
import { subjectDeps } from '#shared/runtime';
import { exportSubject } from '#shared/subjects/subjects';

/** GET /v1/subjects/{phone}/export: everything held about a number, decrypted (a subject access request). */
export const handler = api({ scope: SCOPES.subjectsManage }).handler(async (event) => {
  const data = await exportSubject(await subjectDeps(), event.caller.clientId, phonePath(event));
  metrics.addMetric('SubjectExported', 'Count', 1);
  return ok(data);
});
