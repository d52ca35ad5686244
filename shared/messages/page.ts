import { createHash } from 'node:crypto';
import type { PageState } from './recipient.ts';
import { escapeHtml } from '../text/html.ts';

/**
 * The recipient page: small, accessible, mobile-first, no third-party assets. Script and style are
 * inline and allowed by their hashes in a strict CSP; the message is shown with textContent, never
 * as HTML. Loading the page reads only: link previews consume nothing.
 */
const STYLE = `
:root{color-scheme:light dark;--fg:#1a1a1a;--bg:#fafafa;--muted:#555;--accent:#0b57d0;--err:#b3261e;--card:#fff}
@media (prefers-color-scheme:dark){:root{--fg:#eee;--bg:#121212;--muted:#aaa;--accent:#8ab4f8;--err:#f2b8b5;--card:#1e1e1e}}
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:34rem;margin:0 auto;padding:1.5rem 1rem}h1{font-size:1.4rem;margin:0 0 1rem}
.card{background:var(--card);border-radius:12px;padding:1.25rem;box-shadow:0 1px 3px rgba(0,0,0,.15)}
p{margin:.5rem 0}.muted{color:var(--muted);font-size:.9rem}
button{font:inherit;font-weight:600;padding:.75rem 1.25rem;border:0;border-radius:8px;background:var(--accent);color:#fff;cursor:pointer;min-height:44px;width:100%}
button[disabled]{opacity:.6;cursor:default}label{display:block;font-weight:600;margin:1rem 0 .25rem}
input{font:inherit;font-size:1.5rem;letter-spacing:.3em;padding:.5rem;width:100%;border:2px solid var(--muted);border-radius:8px;background:transparent;color:inherit;text-align:center}
input:focus,button:focus{outline:3px solid var(--accent);outline-offset:2px}
#message{white-space:pre-wrap;word-break:break-word;border-left:4px solid var(--accent);padding:.5rem 1rem;margin:1rem 0}
.error{color:var(--err)}[hidden]{display:none!important}
input.text{font-size:1.1rem;letter-spacing:normal;text-align:left}`;

const SCRIPT = `
(() => {
  const base = location.pathname.replace(/\\/$/, '');
  const $ = (id) => document.getElementById(id);
  const status = $('status');
  const say = (text, error) => { status.textContent = text; status.className = error ? 'error' : 'muted'; };
  const gone = { expired: 'This message has expired.', revoked: 'The sender has withdrawn this message.', already_read: 'This message has already been read and is no longer available.', max_attempts_reached: 'Too many wrong codes. This message is locked.', failed: 'This message could not be delivered.' };
  const post = async (path, body) => {
    const res = await fetch(base + path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body), credentials: 'omit', cache: 'no-store' });
    let data = {}; try { data = await res.json(); } catch {}
    return { status: res.status, data };
  };
  const end = (code) => { $('actions').hidden = true; say(gone[code] || 'This message is not available.', true); };
  $('send').addEventListener('click', async () => {
    $('send').disabled = true; say('Sending a code...');
    const { status: s, data } = await post('/code', {});
    if (s === 202) { $('code-form').hidden = false; $('code').focus(); say('We sent a code to ' + data.to + '. It expires in 5 minutes.'); setTimeout(() => { $('send').disabled = false; $('send').textContent = 'Send a new code'; }, 30000); }
    else if (s === 410) end(data.code);
    else { $('send').disabled = false; say(s === 429 ? 'Please wait ' + (data.retryAfter || 30) + ' seconds before asking for another code.' : 'Something went wrong. Please try again.', true); }
  });
  $('code-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const code = $('code').value.replace(/\\D/g, '');
    if (code.length !== 6) { say('Enter the 6-digit code we sent you.', true); return; }
    const asking = !$('check').hidden;
    const answer = $('answer').value.trim();
    if (asking && !answer) { $('answer').focus(); say('Enter your answer to the question.', true); return; }
    $('open').disabled = true;
    const { status: s, data } = await post('/open', asking ? { code, answer } : { code });
    $('open').disabled = false;
    if (s === 200) {
      $('actions').hidden = true; $('opened').hidden = false;
      $('message').textContent = data.body;
      $('after').textContent = data.burned ? 'This message has now been deleted from our service. Reloading the page will not show it again.' : 'You can read it again until ' + new Date(data.expiresAt).toLocaleString() + '.';
      say('');
    } else if (s === 422 && data.code === 'answer_required') {
      // The sender asks a question only the right person can answer; the code stays valid.
      $('prompt').textContent = data.prompt; $('check').hidden = false; $('code').readOnly = true; $('answer').focus();
      say('One more step: answer the question to open the message.');
    } else if (s === 422 && data.code === 'invalid_answer') { $('answer').value = ''; $('answer').focus(); $('answer').setAttribute('aria-invalid', 'true'); say('That answer is not right. ' + data.remainingAttempts + (data.remainingAttempts === 1 ? ' attempt' : ' attempts') + ' left.', true); }
    else if (s === 422) { $('code').value = ''; $('code').readOnly = false; $('code').focus(); say('That code is not right. ' + data.remainingAttempts + (data.remainingAttempts === 1 ? ' attempt' : ' attempts') + ' left.', true); }
    else if (s === 410) end(data.code);
    else say('Something went wrong. Please try again.', true);
  });
})();`;

const sha256 = (s: string) => `'sha256-${createHash('sha256').update(s).digest('base64')}'`;
export const PAGE_CSP = [
  "default-src 'none'",
  `script-src ${sha256(SCRIPT)}`,
  `style-src ${sha256(STYLE)}`,
  "connect-src 'self'",
  "img-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The unsubscribe page (email/unsubscribe-page.ts): the same style, no script, one form posting to itself. */
export const FORM_PAGE_CSP = ["default-src 'none'", `style-src ${sha256(STYLE)}`, "img-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'"].join('; ');

export function pageHeaders(csp = PAGE_CSP): Record<string, string> {
  return {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Security-Policy': csp,
    'Cache-Control': 'no-store',
    'Referrer-Policy': 'no-referrer',
    'X-Robots-Tag': 'noindex, nofollow',
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Strict-Transport-Security': 'max-age=63072000; includeSubDomains',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), interest-cohort=()',
  };
}


const STATE_TEXT: Record<Exclude<PageState, 'active'>, { title: string; text: string }> = {
  expired: { title: 'This message has expired', text: 'Secure messages are only available for a limited time. Ask the sender to send it again if you still need it.' },
  revoked: { title: 'This message was withdrawn', text: 'The sender has withdrawn this message. It can no longer be read.' },
  already_read: { title: 'This message has already been read', text: 'For your security it was deleted after it was opened. Ask the sender if you need it again.' },
  max_attempts_reached: { title: 'This message is locked', text: 'Too many wrong codes were entered. Ask the sender to send it again.' },
  failed: { title: 'This message is not available', text: 'It could not be delivered. Ask the sender to send it again.' },
  unknown: { title: 'Message not found', text: 'This link is not valid. Check that you opened the whole link from the text message.' },
};

/** The document's head and the opening of its main, shared by the recipient page and the unsubscribe page. */
export const pageHead = (title: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex,nofollow"><meta name="referrer" content="no-referrer"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body><main>`;

/** How the page says where the open code goes (API 1.2: the notice's channel). */
const HOW: Record<'sms' | 'whatsapp' | 'email', { send: string; label: string }> = {
  sms: { send: 'we first text a one-time code to', label: 'Code from the text message' },
  whatsapp: { send: 'we first send a one-time code on WhatsApp to', label: 'Code from the WhatsApp message' },
  email: { send: 'we first e-mail a one-time code to', label: 'Code from the e-mail' },
};

export function renderPage(view: { state: PageState; brand?: string; to?: string; channel?: 'sms' | 'whatsapp' | 'email'; expiresAt?: string; burnAfterRead?: boolean }): { status: number; html: string } {
  const how = HOW[view.channel ?? 'sms'];
  const brand = escapeHtml(view.brand ?? 'Sealtext');
  const head = pageHead;
  if (view.state !== 'active') {
    const t = STATE_TEXT[view.state];
    return {
      status: view.state === 'unknown' ? 404 : 410,
      html: `${head(t.title)}<div class="card" data-state="${view.state}"><h1>${escapeHtml(t.title)}</h1><p>${escapeHtml(t.text)}</p></div></main></body></html>`,
    };
  }
  const until = view.expiresAt ? `<p class="muted">Available until <time datetime="${escapeHtml(view.expiresAt)}">${escapeHtml(view.expiresAt.slice(0, 16).replace('T', ' '))} UTC</time>.${view.burnAfterRead ? ' It will be deleted once you read it.' : ''}</p>` : '';
  return {
    status: 200,
    html: `${head(`A secure message from ${view.brand ?? 'Sealtext'}`)}<div class="card" data-state="active">
<h1>A secure message from ${brand}</h1>
<div id="actions">
<p>To keep it private, ${how.send} ${escapeHtml(view.to ?? 'your phone')}.</p>${until}
<button id="send" type="button">Send me a code</button>
<form id="code-form" hidden novalidate><label for="code">${how.label}</label>
<input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]*" maxlength="6" required aria-describedby="status">
<div id="check" hidden><label for="answer" id="prompt"></label>
<input id="answer" name="answer" class="text" autocomplete="off" maxlength="100" aria-describedby="status"></div>
<p><button id="open" type="submit">Open message</button></p></form>
</div>
<div id="opened" hidden><h2 class="muted">Message</h2><div id="message" tabindex="-1"></div><p id="after" class="muted"></p></div>
<p id="status" role="status" aria-live="polite" class="muted"></p>
</div></main><script>${SCRIPT}</script></body></html>`,
  };
}
