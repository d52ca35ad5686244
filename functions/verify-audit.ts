import { verifyAuditTrail } from '#shared/audit/trail';
import { trailDeps } from '#shared/wiring/audit-runtime';
import { api, ok } from '#shared/http/api';
import { SCOPES } from '#shared/http/scopes';
import { metrics } from '#shared/adapters/observability/powertools';

/** GET /v1/audit/verify: every seal and sealed event checked; the first break is named. */
export const handler = api({ scope: SCOPES.auditRead }).handler(async () => {
  const verdict = await verifyAuditTrail(trailDeps());
  metrics.addMetric(verdict.intact ? 'AuditIntact' : 'AuditBroken', 'Count', 1);
  return ok(verdict);
});
