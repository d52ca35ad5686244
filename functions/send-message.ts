import { api, ok } from '#shared/http/api';
import { idempotent } from '#shared/http/idempotency';
import { SCOPES } from '#shared/http/scopes';
import { parseWith } from '#shared/http/validate';
import { SendMessageRequest } from '#shared/messages/schemas';
import { sendMessage } from '#shared/messages/send';
import { metrics } from '#shared/adapters/observability/powertools';
import { messageDeps } from '#shared/wiring/runtime';

/** POST /v1/messages: seal a message and text the recipient a link (or, `direct`, the text itself). */
export const handler = api({ scope: SCOPES.messagesSend }).handler(async (event, context) => {
  const input = parseWith(SendMessageRequest, event.json);
  const deps = await messageDeps();
  const sent = await idempotent(event, context, 'send-message', { body: input, keys: deps.keys }, () => sendMessage(deps, event.caller.clientId, input));
  metrics.addMetric('MessageSent', 'Count', 1);
  return ok(sent, 201);
});
