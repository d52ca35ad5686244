import { ok, publicApi, sourceIpOf } from '#shared/http/api';
import { linkToken } from '#shared/http/path';
import { parseWith } from '#shared/http/validate';
import { requestOpenCode } from '#shared/messages/recipient';
import { EmptyRecipientRequest } from '#shared/messages/schemas';
import { metrics } from '#shared/adapters/observability/powertools';
import { messageDeps } from '#shared/wiring/runtime';

/** POST /m/{token}/code: text the message's own recipient a code to open it. */
export const handler = publicApi().handler(async (event) => {
  parseWith(EmptyRecipientRequest, event.json);
  const sent = await requestOpenCode(await messageDeps(), linkToken(event), sourceIpOf(event));
  metrics.addMetric('MessageOpenCodeSent', 'Count', 1);
  return ok(sent, 202);
});
