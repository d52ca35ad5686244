import { parsePhone } from '#shared/phone/phone';

/** Real-format mobile numbers for simulated people, by country (validated against the numbering plan). */
const TEMPLATES: Record<string, { prefix: string; digits: number }> = {
  GB: { prefix: '+447', digits: 9 },
  US: { prefix: '+1415', digits: 7 },
  DE: { prefix: '+49151', digits: 8 },
  FR: { prefix: '+336', digits: 8 },
  NL: { prefix: '+316', digits: 8 },
};

export function randomMobile(country: keyof typeof TEMPLATES): string {
  const t = TEMPLATES[country]!;
  for (;;) {
    const n = `${t.prefix}${Array.from({ length: t.digits }, () => Math.floor(Math.random() * 10)).join('')}`;
    const p = parsePhone(n);
    if (p?.country === country && (p.type === 'MOBILE' || p.type === 'FIXED_LINE_OR_MOBILE')) return n;
  }
}

/** A run of consecutive numbers in one range: the SMS-pumping pattern. */
export function sequentialNumbers(start: string, count: number): string[] {
  const out: string[] = [];
  for (let n = BigInt(start.slice(1)); out.length < count; n++) if (parsePhone(`+${n}`)) out.push(`+${n}`);
  return out;
}
