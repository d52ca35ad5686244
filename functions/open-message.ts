import { ok, publicApi } from '#shared/http/api';
import { linkToken } from '#shared/http/path';
import { parseWith } from '#shared/http/validate';
import { openMessage } from '#shared/messages/recipient';
import { OpenMessageRequest } from '#shared/messages/schemas';
import { metrics } from '#shared/adapters/observability/powertools';
import { openDeps } from '#shared/wiring/runtime';

/** POST /m/{token}/open: the only function that may decrypt a message body. */
export const handler = publicApi().handler(async (event) => {
  const { code, answer } = parseWith(OpenMessageRequest, event.json);
  const opened = await openMessage(await openDeps(), linkToken(event), code, answer);
  metrics.addMetric('MessageOpened', 'Count', 1);
  return ok(opened);
});
