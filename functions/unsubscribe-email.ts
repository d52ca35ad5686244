import { formBody, publicFormApi, requestHeader } from '#shared/http/api';
import { linkToken } from '#shared/http/path';
import { knownUnsubscribeLink, unsubscribeByLink } from '#shared/consent/email-unsubscribe';
import { isOneClickBody, notOneClick } from '#shared/email/unsubscribe';
import { renderUnsubscribePage } from '#shared/email/unsubscribe-page';
import { FORM_PAGE_CSP, pageHeaders } from '#shared/messages/page';
import { metrics } from '#shared/adapters/observability/powertools';
import { consentDeps, emailBrand } from '#shared/wiring/runtime';

/**
 * GET /u/{token}: the unsubscribe page (reads nothing, changes nothing). POST /u/{token}: the
 * one-click unsubscribe a mail client sends (RFC 8058), or the page's button: records the
 * address's promotional e-mail opt-out.
 */
export const handler = publicFormApi().handler(async (event) => {
  const token = linkToken(event);
  const deps = await consentDeps();
  let state: 'ask' | 'done' | 'unknown';
  if (event.httpMethod === 'POST') {
    if (!isOneClickBody(requestHeader(event, 'content-type'), formBody(event))) throw notOneClick();
    state = await unsubscribeByLink(deps, token);
  } else {
    state = knownUnsubscribeLink(deps, token) ? 'ask' : 'unknown';
  }
  metrics.addMetric(`Unsubscribe_${event.httpMethod === 'POST' ? 'post' : 'page'}_${state}`, 'Count', 1);
  const { status, html } = renderUnsubscribePage(state, emailBrand());
  return { statusCode: status, headers: pageHeaders(FORM_PAGE_CSP), body: html };
});
