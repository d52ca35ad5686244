/**
 * What a voice call says (API 1.2): the brand, then the code digit by digit, twice, slowly, in the
 * locale's voice; a transaction code names amount and payee. `ssml` goes to End User Messaging's
 * `SendVoiceMessage`; `words` is the same call as plain text (the local outbox shows it).
 */
type Locale = 'en' | 'de';
export type VoiceVars = { brand: string; code: string; transaction?: { amount: string; currency: string; payee: string } };
export type VoiceScript = { ssml: string; words: string; voiceId: string; languageCode: string };

/** Amazon Polly voices End User Messaging offers, one per locale. */
const VOICES: Record<Locale, { voiceId: string; languageCode: string }> = {
  en: { voiceId: 'AMY', languageCode: 'en-GB' },
  de: { voiceId: 'MARLENE', languageCode: 'de-DE' },
};

const PHRASES: Record<Locale, { intro: (brand: string) => string; code: string; again: string; tx: (t: NonNullable<VoiceVars['transaction']>) => string; warn: string }> = {
  en: {
    intro: (brand) => `This is ${brand}.`,
    code: 'Your code is',
    again: 'Again, your code is',
    tx: (t) => `It approves paying ${t.amount} ${t.currency} to ${t.payee}.`,
    warn: 'Never share it. Goodbye.',
  },
  de: {
    intro: (brand) => `Hier ist ${brand}.`,
    code: 'Ihr Code lautet',
    again: 'Noch einmal, Ihr Code lautet',
    tx: (t) => `Er bestätigt die Zahlung von ${t.amount} ${t.currency} an ${t.payee}.`,
    warn: 'Geben Sie ihn nie weiter. Auf Wiederhören.',
  },
};

/** Text inside SSML: a brand or payee can't open a tag or end the document. */
const xml = (s: string) => s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);

/** Each digit on its own, with a pause after it: slow enough to write down. */
const spokenDigits = (code: string) =>
  `<prosody rate="slow">${[...code].map((d) => `<say-as interpret-as="digits">${d}</say-as><break time="400ms"/>`).join('')}</prosody>`;

export function voiceScript(locale: Locale, v: VoiceVars): VoiceScript {
  if (!/^\d{4,10}$/.test(v.code)) throw new Error('A voice code is digits only');
  const p = PHRASES[locale];
  const tx = v.transaction ? p.tx(v.transaction) : undefined;
  const ssml = [
    '<speak>',
    `${xml(p.intro(v.brand))}<break time="500ms"/>`,
    tx ? `${xml(tx)}<break time="500ms"/>` : '',
    `${xml(p.code)}<break time="300ms"/>${spokenDigits(v.code)}<break time="1s"/>`,
    `${xml(p.again)}<break time="300ms"/>${spokenDigits(v.code)}<break time="500ms"/>`,
    xml(p.warn),
    '</speak>',
  ].join('');
  const digits = [...v.code].join(', ');
  const words = [p.intro(v.brand), tx, `${p.code} ${digits}.`, `${p.again} ${digits}.`, p.warn].filter(Boolean).join(' ');
  return { ssml, words, ...VOICES[locale] };
}
