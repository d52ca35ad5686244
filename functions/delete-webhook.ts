import { api, ok } from '#shared/http/api';
import { SCOPES } from '#shared/http/scopes';
import { webhookDeps } from '#shared/wiring/runtime';
import { deleteWebhook } from '#shared/webhooks/webhook';

/** DELETE /v1/webhook: no more deliveries (jobs already queued are dropped when tried). */
export const handler = api({ scope: SCOPES.webhooksManage }).handler(async (event) => ok(await deleteWebhook(webhookDeps(), event.caller.clientId)));
