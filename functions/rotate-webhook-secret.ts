import { api, ok } from '#shared/http/api';
import { SCOPES } from '#shared/http/scopes';
import { webhookDeps } from '#shared/wiring/runtime';
import { rotateWebhookSecret } from '#shared/webhooks/webhook';

/** POST /v1/webhook/rotate-secret: a new secret, shown once; the old one stops signing at once. */
export const handler = api({ scope: SCOPES.webhooksManage }).handler(async (event) => ok(await rotateWebhookSecret(webhookDeps(), event.caller.clientId)));
