import { api, ok } from '#shared/http/api';
import { SCOPES } from '#shared/http/scopes';
import { metrics } from '#shared/observability';
import { auditReader } from '#shared/runtime';

/** GET /v1/audit/verify: walks every chain; names the first event that breaks it. */
export const handler = api({ scope: SCOPES.auditRead }).handler(async () => {
  const verdict = await auditReader().verifyAll();
  metrics.addMetric(verdict.intact ? 'AuditIntact' : 'AuditBroken', 'Count', 1);
  return ok(verdict);
});
