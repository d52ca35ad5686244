import type { RenderedEmail } from './code-email.ts';
import { escapeHtml } from '../text/html.ts';

/**
 * A sealed message's notice by e-mail: the brand, a neutral notice and the link, never the body; and
 * the code that opens it, sent when the recipient asks on the page. `direct` puts the body itself in
 * the mail. Plain text and HTML say the same; the only link is the sealed message's own.
 */
const html = (title: string, paragraphs: string[]) =>
  ['<!doctype html>', `<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>`, '<body style="font-family:sans-serif;line-height:1.5">', ...paragraphs, '</body></html>'].join('\r\n');
const text = (lines: string[]) => `${lines.join('\r\n')}\r\n`;

/**
 * Promotional mail says how to stop it in the mail itself too (the law in most places asks for a
 * visible opt-out), with the same link as its List-Unsubscribe header.
 */
type Footer = { unsubscribeUrl?: string | undefined };
const footerText = (f: Footer) => (f.unsubscribeUrl ? ['', `Unsubscribe from promotional e-mail: ${f.unsubscribeUrl}`] : []);
const footerHtml = (f: Footer) => (f.unsubscribeUrl ? [`<p style="font-size:12px;color:#555"><a href="${escapeHtml(f.unsubscribeUrl)}">Unsubscribe from promotional e-mail</a></p>`] : []);

export function sealedNoticeEmail(brand: string, link: string, expiresAt: number, footer: Footer = {}): RenderedEmail {
  const until = `${new Date(expiresAt).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  const subject = `${brand}: you have a secure message`;
  return {
    subject,
    text: text([brand, '', 'You have a secure message. Open it here:', '', link, '', `It can be read until ${until}. We will never ask you for a code by phone or e-mail.`, ...footerText(footer)]),
    html: html(subject, [
      `<p><strong>${escapeHtml(brand)}</strong></p>`,
      '<p>You have a secure message.</p>',
      `<p><a href="${escapeHtml(link)}">Read your secure message</a></p>`,
      `<p>It can be read until ${escapeHtml(until)}. We will never ask you for a code by phone or e-mail.</p>`,
      ...footerHtml(footer),
    ]),
  };
}

export function directEmail(brand: string, body: string, footer: Footer = {}): RenderedEmail {
  const subject = `${brand}: a message for you`;
  return {
    subject,
    text: text([brand, '', body, ...footerText(footer)]),
    html: html(subject, [`<p><strong>${escapeHtml(brand)}</strong></p>`, ...body.split(/\r?\n/).map((l) => `<p>${escapeHtml(l)}</p>`), ...footerHtml(footer)]),
  };
}

export function openCodeEmail(brand: string, code: string, minutes: number): RenderedEmail {
  const subject = `${brand}: your code to open your secure message`;
  const lines = ['Your code to open your secure message is:', code, `It expires in ${minutes} minutes. Never share it.`];
  return {
    subject,
    text: text([brand, '', lines[0]!, '', `    ${code}`, '', lines[2]!]),
    html: html(subject, [`<p><strong>${escapeHtml(brand)}</strong></p>`, `<p>${escapeHtml(lines[0]!)}</p>`, `<p style="font-size:28px;letter-spacing:4px;font-family:monospace"><strong>${escapeHtml(code)}</strong></p>`, `<p>${escapeHtml(lines[2]!)}</p>`]),
  };
}
