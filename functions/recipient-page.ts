import { publicApi } from '#shared/http/api';
import { linkToken } from '#shared/http/path';
import { pageHeaders, renderPage } from '#shared/messages/page';
import { pageState } from '#shared/messages/recipient';
import { metrics } from '#shared/adapters/observability/powertools';
import { messageStoreDeps } from '#shared/wiring/runtime';

/** GET /m/{token}: the recipient page. Reads only, holds no key: loading it (or a link preview) changes nothing. */
export const handler = publicApi().handler(async (event) => {
  const view = await pageState(messageStoreDeps(), linkToken(event));
  metrics.addMetric(`RecipientPage_${view.state}`, 'Count', 1);
  const { status, html } = renderPage(view);
  return { statusCode: status, headers: pageHeaders(), body: html };
});
