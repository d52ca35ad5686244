import { archiveReadDeps } from '#shared/wiring/archive-runtime';
import { api, ok } from '#shared/http/api';
import { pathId } from '#shared/http/path';
import { SCOPES } from '#shared/http/scopes';
import { parseWith } from '#shared/http/validate';
import { readArchived } from '#shared/messages/archive';
import { ArchiveReadQuery } from '#shared/messages/schemas';
import { metrics } from '#shared/adapters/observability/powertools';

/** GET /v1/archive/messages/{id}?reason= : an archived message, for the client that sent it; every read audited with its reason. */
export const handler = api({ scope: SCOPES.archiveRead }).handler(async (event) => {
  const { reason } = parseWith(ArchiveReadQuery, event.queryStringParameters ?? {});
  const read = await readArchived(archiveReadDeps(), event.caller.clientId, pathId(event), reason);
  metrics.addMetric('ArchiveRead', 'Count', 1);
  return ok(read);
});
