import { AuditQuery, AuditSearchRequest, listAudit } from '#shared/audit/query';
import { auditTrailStore } from '#shared/wiring/audit-runtime';
import { api, ok } from '#shared/http/api';
import { SCOPES } from '#shared/http/scopes';
import { parseWith } from '#shared/http/validate';
import { metrics } from '#shared/adapters/observability/powertools';
import { blindIndexOf } from '#shared/wiring/runtime';

/** POST /v1/audit/search (and GET /v1/audit?to=&from=&until=&cursor=): events, oldest first; subjects shown masked. */
export const handler = api({ scope: SCOPES.auditRead }).handler(async (event) => {
  const q = event.httpMethod === 'POST' ? parseWith(AuditSearchRequest, event.json) : parseWith(AuditQuery, event.queryStringParameters ?? {});
  const subjectIndex = q.to ? await blindIndexOf(q.to) : undefined;
  const page = await listAudit(auditTrailStore(), { ...q, ...(subjectIndex ? { subjectIndex } : {}) }, Date.now());
  metrics.addMetric('AuditListed', 'Count', 1);
  return ok(page);
});
