import { ValidationFailed } from '../errors.ts';

/**
 * Template text: `{{variable}}` placeholders (letters, digits, `_`). Rendering is one pass over the
 * template, so a value that itself contains `{{x}}` stays literal text: values cannot inject
 * placeholders. Values are plain text: at most MAX_VALUE characters, no control characters.
 */
const PLACEHOLDER = /\{\{([A-Za-z0-9_]{1,40})\}\}/g;
const MAX_VALUE = 200;

/** The variables a text uses, in order of first use; a stray `{{` or `}}` is a 400. */
export function variablesOf(text: string, path = 'text'): string[] {
  const stripped = text.replace(PLACEHOLDER, '');
  if (stripped.includes('{{') || stripped.includes('}}')) throw new ValidationFailed([{ path, message: 'Placeholders are {{name}} with letters, digits or _' }]);
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]!))];
}

export function render(text: string, variables: Record<string, string>): string {
  const wanted = variablesOf(text);
  const errors: { path: string; message: string }[] = [];
  for (const name of wanted) if (!(name in variables)) errors.push({ path: `variables.${name}`, message: 'Missing' });
  for (const [name, value] of Object.entries(variables)) {
    if (!wanted.includes(name)) errors.push({ path: `variables.${name}`, message: 'Not used by the template' });
    else if (value.length > MAX_VALUE) errors.push({ path: `variables.${name}`, message: `At most ${MAX_VALUE} characters` });
    // eslint-disable-next-line no-control-regex
    else if (/[\u0000-\u001f\u007f]/.test(value)) errors.push({ path: `variables.${name}`, message: 'Plain text, no control characters' });
  }
  if (errors.length) throw new ValidationFailed(errors);
  return text.replace(PLACEHOLDER, (_, name: string) => variables[name]!);
}

/** GSM 03.38 basic set and its extension (each extension character costs two septets). */
const GSM_BASIC = '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ ÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENDED = '^{}\\[~]|€\f';

/** How the SMS is encoded and how many parts it takes (concatenated: 153 septets or 67 UCS-2 characters a part). */
export function smsStats(text: string): { encoding: 'GSM-7' | 'UCS-2'; length: number; segments: number } {
  let septets = 0;
  let gsm = true;
  for (const ch of text) {
    if (GSM_BASIC.includes(ch)) septets += 1;
    else if (GSM_EXTENDED.includes(ch)) septets += 2;
    else {
      gsm = false;
      break;
    }
  }
  if (gsm) return { encoding: 'GSM-7', length: septets, segments: septets <= 160 ? 1 : Math.ceil(septets / 153) };
  // UTF-16 code units: a character outside the BMP (an emoji) takes two.
  const units = text.length;
  return { encoding: 'UCS-2', length: units, segments: units <= 70 ? 1 : Math.ceil(units / 67) };
}
