import { api, ok } from '#shared/http/api';
import { pathId } from '#shared/http/path';
import { SCOPES } from '#shared/http/scopes';
import { getMessage } from '#shared/messages/manage';
import { metrics } from '#shared/adapters/observability/powertools';
import { messageStoreDeps } from '#shared/wiring/runtime';

/** GET /v1/messages/{id}: status only, never the body. */
export const handler = api({ scope: SCOPES.messagesManage }).handler(async (event) => {
  const view = await getMessage(messageStoreDeps(), event.caller.clientId, pathId(event));
  metrics.addMetric('MessageRead', 'Count', 1);
  return ok(view);
});
