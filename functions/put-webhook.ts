import { api, ok } from '#shared/http/api';
import { SCOPES } from '#shared/http/scopes';
import { parseWith } from '#shared/http/validate';
import { webhookDeps } from '#shared/wiring/runtime';
import { putWebhook } from '#shared/webhooks/webhook';
import { PutWebhookRequest } from '#shared/webhooks/schemas';

/** PUT /v1/webhook: create or change the client's webhook; the secret is in the answer only when created. */
export const handler = api({ scope: SCOPES.webhooksManage }).handler(async (event) => {
  const input = parseWith(PutWebhookRequest, event.json);
  return ok(await putWebhook(webhookDeps(), event.caller, input));
});
