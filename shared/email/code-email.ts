import type { Transaction } from '../otp/code.ts';
import type { Purpose } from '../otp/verification.ts';
import { escapeHtml } from '../text/html.ts';

/**
 * A code by e-mail (API 1.2): a subject naming the brand and the purpose, then the code, the expiry
 * and the do-not-share warning, as a plain-text part and an HTML part saying the same. A
 * transaction code names amount and payee. No images, no tracking pixel, no link: nothing in it
 * calls anyone when the mail is opened.
 */
type Locale = 'en' | 'de';
export type CodeEmailVars = { brand: string; code: string; minutes: number; purpose: Purpose; transaction?: Transaction };
export type RenderedEmail = { subject: string; text: string; html: string };

const WORDS: Record<Locale, {
  purpose: Record<Purpose, string>;
  subject: (brand: string, purpose: string) => string;
  lead: (purpose: string) => string;
  tx: (t: Transaction) => string;
  expires: (minutes: number) => string;
  warn: (brand: string) => string;
  ignore: string;
}> = {
  en: {
    purpose: { login: 'sign-in', transaction: 'payment', password_reset: 'password reset', delivery: 'delivery', generic: 'verification' },
    subject: (brand, purpose) => `${brand}: your ${purpose} code`,
    lead: (purpose) => `Your ${purpose} code is:`,
    tx: (t) => `It approves paying ${t.amount} ${t.currency} to ${t.payee}.`,
    expires: (m) => `It expires in ${m} minutes.`,
    warn: (brand) => `Never share this code. ${brand} will never ask you for it.`,
    ignore: 'If you did not ask for it, you can ignore this e-mail.',
  },
  de: {
    purpose: { login: 'Anmelde', transaction: 'Zahlungs', password_reset: 'Passwort', delivery: 'Liefer', generic: 'Bestätigungs' },
    subject: (brand, purpose) => `${brand}: Ihr ${purpose}code`,
    lead: (purpose) => `Ihr ${purpose}code lautet:`,
    tx: (t) => `Er bestätigt die Zahlung von ${t.amount} ${t.currency} an ${t.payee}.`,
    expires: (m) => `Er ist ${m} Minuten gültig.`,
    warn: (brand) => `Geben Sie diesen Code nie weiter. ${brand} wird Sie nie danach fragen.`,
    ignore: 'Wenn Sie ihn nicht angefordert haben, können Sie diese E-Mail ignorieren.',
  },
};


export function renderCodeEmail(locale: Locale, v: CodeEmailVars): RenderedEmail {
  const w = WORDS[locale];
  const purpose = w.purpose[v.purpose];
  const lines = [w.lead(purpose), v.code, ...(v.transaction ? [w.tx(v.transaction)] : []), w.expires(v.minutes), w.warn(v.brand), w.ignore];
  const text = `${[`${v.brand}`, '', ...lines.slice(0, 1), '', `    ${v.code}`, '', ...lines.slice(2)].join('\r\n')}\r\n`;
  const p = (s: string) => `<p>${escapeHtml(s)}</p>`;
  const html = [
    '<!doctype html>',
    `<html lang="${locale}"><head><meta charset="utf-8"><title>${escapeHtml(w.subject(v.brand, purpose))}</title></head>`,
    '<body style="font-family:sans-serif;line-height:1.5">',
    `<p><strong>${escapeHtml(v.brand)}</strong></p>`,
    p(w.lead(purpose)),
    `<p style="font-size:28px;letter-spacing:4px;font-family:monospace"><strong>${escapeHtml(v.code)}</strong></p>`,
    ...lines.slice(2).map(p),
    '</body></html>',
  ].join('\r\n');
  return { subject: w.subject(v.brand, purpose), text, html };
}
