import { api, ok } from '#shared/http/api';
import { pathId } from '#shared/http/path';
import { SCOPES } from '#shared/http/scopes';
import { revokeMessage } from '#shared/messages/manage';
import { metrics } from '#shared/adapters/observability/powertools';
import { auditItems, messageStoreDeps } from '#shared/wiring/runtime';

/** DELETE /v1/messages/{id}: remote wipe. */
export const handler = api({ scope: SCOPES.messagesManage }).handler(async (event) => {
  const revoked = await revokeMessage({ ...messageStoreDeps(), audit: auditItems() }, event.caller.clientId, pathId(event));
  metrics.addMetric('MessageRevoked', 'Count', 1);
  return ok(revoked);
});
