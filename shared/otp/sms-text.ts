import type { Transaction } from './code.ts';
import type { Purpose } from './verification.ts';

/**
 * SMS templates. Every OTP SMS names the brand, the code, the expiry and a do-not-share warning;
 * a transaction code names amount and payee so the person sees what they are approving; the last
 * line `@domain #code` lets browsers offer the code to that origin only (WebOTP).
 */
type Locale = 'en' | 'de';
type Vars = { brand: string; code: string; minutes: number; purpose: Purpose; transaction?: Transaction };

const templates: Record<Locale, { action: Record<Purpose, string>; body: (v: Vars, action: string) => string; tx: (v: Vars & { transaction: Transaction }) => string }> = {
  en: {
    action: { login: 'sign-in', transaction: 'payment', password_reset: 'password reset', delivery: 'delivery', generic: 'verification' },
    body: (v, action) => `${v.brand}: ${v.code} is your ${action} code. It expires in ${v.minutes} min. Never share it; we will never ask for it.`,
    tx: (v) => `${v.brand}: ${v.code} approves paying ${v.transaction.amount} ${v.transaction.currency} to ${v.transaction.payee}. It expires in ${v.minutes} min. Never share it.`,
  },
  de: {
    action: { login: 'Anmelde', transaction: 'Zahlungs', password_reset: 'Passwort', delivery: 'Liefer', generic: 'Bestätigungs' },
    body: (v, action) => `${v.brand}: ${v.code} ist Ihr ${action}code. Gültig ${v.minutes} Min. Geben Sie ihn nie weiter; wir fragen nie danach.`,
    tx: (v) => `${v.brand}: ${v.code} bestätigt die Zahlung von ${v.transaction.amount} ${v.transaction.currency} an ${v.transaction.payee}. Gültig ${v.minutes} Min. Nie weitergeben.`,
  },
};

export function renderOtpSms(locale: Locale, vars: Vars, webDomain?: string): string {
  const t = templates[locale];
  const text = vars.transaction ? t.tx({ ...vars, transaction: vars.transaction }) : t.body(vars, t.action[vars.purpose]);
  return webDomain ? `${text}\n\n@${webDomain} #${vars.code}` : text;
}
