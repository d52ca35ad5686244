import type { RenderedEmail } from './code-email.ts';

/**
 * An e-mail as an RFC 5322 message with a multipart/alternative body (plain text first, then HTML,
 * so a client shows the richest it can): the local stack's `.eml` files, which any mail client
 * opens. Non-ASCII headers as RFC 2047 encoded words; both parts base64 in 76-character lines.
 */
export type MailHeaders = readonly { name: string; value: string }[];

const encodedWord = (s: string) => (/^[\x20-\x7e]*$/.test(s) ? s : `=?UTF-8?B?${Buffer.from(s, 'utf8').toString('base64')}?=`);
const base64Lines = (s: string) => Buffer.from(s, 'utf8').toString('base64').replace(/.{76}/g, '$&\r\n');

export function toMime(m: RenderedEmail & { from: string; to: string; messageId: string; date: Date; headers?: MailHeaders }, boundary: string): string {
  const headerLines = [
    `From: ${m.from}`,
    `To: ${m.to}`,
    `Subject: ${encodedWord(m.subject)}`,
    `Date: ${m.date.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <${m.messageId}>`,
    'MIME-Version: 1.0',
    ...(m.headers ?? []).map((h) => `${h.name}: ${h.value}`),
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
  ];
  const part = (type: string, body: string) => [`--${boundary}`, `Content-Type: ${type}; charset=UTF-8`, 'Content-Transfer-Encoding: base64', '', base64Lines(body)].join('\r\n');
  return [...headerLines, '', part('text/plain', m.text), part('text/html', m.html), `--${boundary}--`, ''].join('\r\n');
}
