import { pageHead } from '../messages/page.ts';
import { escapeHtml } from '../text/html.ts';

/**
 * The page behind a promotional e-mail's unsubscribe link. Loading it changes nothing (link
 * scanners and previews fetch links); its one button posts the same one-click body a mail client
 * sends (RFC 8058), so both record the same opt-out.
 */
export type UnsubscribeState = 'ask' | 'done' | 'unknown';

const TEXT: Record<UnsubscribeState, { title: string; text: string }> = {
  ask: { title: 'Unsubscribe from promotional e-mail', text: 'Press the button to stop promotional e-mail to this address. Messages you asked for, such as sign-in codes and secure messages, still arrive.' },
  done: { title: 'You are unsubscribed', text: 'This address will get no more promotional e-mail from us. Messages you ask for, such as sign-in codes, still arrive.' },
  unknown: { title: 'Link not valid', text: 'This unsubscribe link is not valid. Check that you opened the whole link from the e-mail.' },
};

export function renderUnsubscribePage(state: UnsubscribeState, brand: string): { status: number; html: string } {
  const t = TEXT[state];
  const form = state === 'ask'
    ? '<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Unsubscribe</button></form>'
    : '';
  return {
    status: state === 'unknown' ? 404 : 200,
    html: `${pageHead(t.title)}<div class="card" data-state="${state}"><p class="muted">${escapeHtml(brand)}</p><h1>${escapeHtml(t.title)}</h1><p>${escapeHtml(t.text)}</p>${form}</div></main></body></html>`,
  };
}
