import { api, ok } from '#shared/http/api';
import { SCOPES } from '#shared/http/scopes';
import { webhookDeps } from '#shared/wiring/runtime';
import { getWebhook } from '#shared/webhooks/webhook';

/** GET /v1/webhook: the client's webhook, never its secret. */
export const handler = api({ scope: SCOPES.webhooksManage }).handler(async (event) => ok(await getWebhook(webhookDeps(), event.caller.clientId)));
