/**
 * A code on WhatsApp (API 1.2): Meta's authentication template with a copy-code button, in the
 * WhatsApp Cloud API's message shape that End User Messaging Social passes through. Meta fixes an
 * authentication template's words ("<code> is your verification code", optionally the security
 * line and the expiry), so the code goes in twice: the body's one parameter and the button's.
 * The template of each locale is approved in the business's WhatsApp Business Account beforehand
 * (docs/channels.md); its name comes from the settings.
 */
type Locale = 'en' | 'de';
/** Meta's language codes for the locales we send in. */
const LANGUAGE: Record<Locale, string> = { en: 'en', de: 'de' };

type TextParameter = { type: 'text'; text: string };
export type WhatsAppTemplateMessage = {
  messaging_product: 'whatsapp';
  recipient_type: 'individual';
  to: string;
  type: 'template';
  template: {
    name: string;
    language: { code: string };
    components: ({ type: 'body'; parameters: TextParameter[] } | { type: 'button'; sub_type: 'url'; index: '0'; parameters: [TextParameter] })[];
  };
};

const checkTo = (to: string) => {
  if (!/^\+[1-9]\d{6,14}$/.test(to)) throw new Error('A WhatsApp destination is an E.164 number');
};
const template = (to: string, name: string, components: WhatsAppTemplateMessage['template']['components']): WhatsAppTemplateMessage => {
  checkTo(to);
  return { messaging_product: 'whatsapp', recipient_type: 'individual', to, type: 'template', template: { name, language: { code: 'en' }, components } };
};

/**
 * A sealed message's notice on WhatsApp (API 1.2): the business's approved **utility** template
 * (named in the settings, `whatsapp.noticeTemplate`; `utilityTemplates` below), body "You have a
 * secure message from {{1}}. It can be read until {{2}}." and a URL button whose base is the
 * stage's `/m/` and whose one parameter is the link's token. Meta approves the URL's base with the
 * template; only the token varies, and the body never holds the message.
 */
export function whatsappNoticeMessage(to: string, t: { template: string; brand: string; until: string; token: string }): WhatsAppTemplateMessage {
  return template(to, t.template, [
    { type: 'body', parameters: [{ type: 'text', text: t.brand }, { type: 'text', text: t.until }] },
    { type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: t.token }] },
  ]);
}
const NOTICE_BODY = 'You have a secure message from {{1}}. It can be read until {{2}}.';
/** Meta refuses a parameter at the very start or end of a template's body: both bodies begin and end with words. */
const DIRECT_BODY = 'A message from {{1}}:\n\n{{2}}\n\nReply STOP to stop WhatsApp messages.';
const fill = (body: string, values: string[]) => body.replace(/\{\{(\d)\}\}/g, (_m, i: string) => values[Number(i) - 1] ?? '');
export const whatsappNoticeWords = (brand: string, until: string) => fill(NOTICE_BODY, [brand, until]);

/** `direct` on WhatsApp: the utility template `whatsapp.directTemplate` (brand, the message). */
export function whatsappDirectMessage(to: string, t: { template: string; brand: string; body: string }): WhatsAppTemplateMessage {
  // Meta refuses a template parameter with a newline, a tab or more than four spaces in a row.
  const body = t.body.replace(/\s*\n\s*/g, ' · ').replace(/\t/g, ' ').replace(/ {4,}/g, '   ');
  return template(to, t.template, [{ type: 'body', parameters: [{ type: 'text', text: t.brand }, { type: 'text', text: body }] }]);
}
export const whatsappDirectWords = (m: WhatsAppTemplateMessage) => fill(DIRECT_BODY, (m.template.components[0]?.parameters ?? []).map((p) => p.text));

/**
 * The two utility templates sealed messages need, as Meta's template API takes them (End User
 * Messaging Social `CreateWhatsAppMessageTemplate`), in English: the notice with its link button on
 * `<publicBaseUrl>/m/{{1}}`, and `direct`. Examples are required by Meta's review.
 */
export function utilityTemplates(names: { notice: string; direct: string }, publicBaseUrl: string) {
  if (!/^https:\/\/[^\s{}]+[^/]$/.test(publicBaseUrl)) throw new Error('The base URL is the stage\'s https address, without a trailing slash');
  return [
    {
      name: names.notice, language: 'en', category: 'UTILITY',
      components: [
        { type: 'BODY', text: NOTICE_BODY, example: { body_text: [['Acme Bank', '2026-12-03 18:00 UTC']] } },
        { type: 'BUTTONS', buttons: [{ type: 'URL', text: 'Read message', url: `${publicBaseUrl}/m/{{1}}`, example: [`${publicBaseUrl}/m/${'x'.repeat(43)}`] }] },
      ],
    },
    { name: names.direct, language: 'en', category: 'UTILITY', components: [{ type: 'BODY', text: DIRECT_BODY, example: { body_text: [['Acme', 'Your parcel arrives today between 9 and 12.']] } }] },
  ];
}

export function whatsappCodeMessage(to: string, code: string, locale: Locale, templateName: string): WhatsAppTemplateMessage {
  checkTo(to);
  // Meta refuses a one-time password over 15 characters in an authentication template.
  if (!/^[0-9A-Za-z]{4,15}$/.test(code)) throw new Error('An authentication template code is 4 to 15 letters or digits');
  return {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to,
    type: 'template',
    template: {
      name: templateName,
      language: { code: LANGUAGE[locale] },
      components: [
        { type: 'body', parameters: [{ type: 'text', text: code }] },
        // The copy-code button is a URL button to Meta's API: its one parameter is the code.
        { type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: code }] },
      ],
    },
  };
}

/**
 * The authentication template a locale needs, as Meta's template API takes it (End User Messaging
 * Social `CreateWhatsAppMessageTemplate` passes it through): Meta writes the words itself, with the
 * security line and the expiry footer, and a copy-code button. Name: `<prefix>_<locale>`.
 */
export function authenticationTemplate(prefix: string, locale: Locale, expiryMinutes: number) {
  if (!/^[a-z0-9_]{1,400}$/.test(prefix)) throw new Error('A template name is lowercase letters, digits and underscores');
  if (!Number.isInteger(expiryMinutes) || expiryMinutes < 1 || expiryMinutes > 90) throw new Error('Meta takes an expiry of 1 to 90 minutes');
  return {
    name: `${prefix}_${locale}`,
    language: LANGUAGE[locale],
    category: 'AUTHENTICATION',
    components: [
      { type: 'BODY', add_security_recommendation: true },
      { type: 'FOOTER', code_expiration_minutes: expiryMinutes },
      { type: 'BUTTONS', buttons: [{ type: 'OTP', otp_type: 'COPY_CODE', text: copyLabel(locale) }] },
    ],
  };
}
/**
 * The words the person sees: Meta writes an authentication template's text itself (the code, the
 * security line); kept as the text's provenance and shown by the local outbox.
 */
export function whatsappCodeWords(locale: Locale, code: string): string {
  return locale === 'de'
    ? `${code} ist dein Verifizierungscode. Gib diesen Code zu deiner Sicherheit nicht weiter.`
    : `${code} is your verification code. For your security, do not share this code.`;
}

export const TEMPLATE_LOCALES: readonly Locale[] = ['en', 'de'];

const copyLabel = (locale: Locale) => (locale === 'de' ? 'Code kopieren' : 'Copy code');
/** A code message as the person sees it: Meta's words and the copy-code button (the local outbox shows this). */
export const whatsappCodeShown = (locale: Locale, code: string) => `${whatsappCodeWords(locale, code)}\n[${copyLabel(locale)}]`;
