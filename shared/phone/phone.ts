import { parsePhoneNumberFromString as parseWith, type MetadataJson, type NumberType } from 'libphonenumber-js/core';
import { NUMBERING_PLANS_JSON } from './numbering-plans.data.ts';

/** The complete numbering plans without their formatting rules (numbering-plans.ts). */
const plans = JSON.parse(NUMBERING_PLANS_JSON) as MetadataJson;
const parsePhoneNumberFromString = (text: string) => parseWith(text, plans);

/** A validated E.164 number. `e164` is PII: never log it, never return it. */
export type Phone = {
  e164: string;
  /** ISO 3166 alpha-2, from the numbering plan. */
  country: string;
  callingCode: string;
  type: NumberType;
};

const E164 = /^\+[1-9]\d{7,14}$/;

/** Number types that can't receive an SMS or are a known toll-fraud vector. */
const REFUSED_TYPES: ReadonlySet<NonNullable<NumberType>> = new Set([
  'PREMIUM_RATE',
  'SHARED_COST',
  'TOLL_FREE',
  'UAN',
  'VOICEMAIL',
  'PAGER',
  'FIXED_LINE',
]);

/** Parses strict E.164 checked against real numbering-plan metadata; undefined if not a real number. */
export function parsePhone(input: string): Phone | undefined {
  if (!E164.test(input)) return undefined;
  const parsed = parsePhoneNumberFromString(input);
  if (!parsed || !parsed.isValid() || !parsed.country) return undefined;
  return { e164: parsed.number, country: parsed.country, callingCode: parsed.countryCallingCode, type: parsed.getType() };
}

/** True when the metadata says the number can't take an SMS or is premium-rate-like. */
export function isRefusedNumberType(phone: Phone): boolean {
  return phone.type !== undefined && REFUSED_TYPES.has(phone.type);
}

/**
 * `+4477******23`: calling code and the next two digits, the last two digits, the rest masked,
 * as the API contract shows. Enough for a person to recognise their number, not to dial it.
 */
export function maskPhone(e164: string): string {
  const digits = e164.slice(1);
  const shownHead = Math.min(digits.length - 2, callingCodeLength(digits) + 2);
  return `+${digits.slice(0, shownHead)}${'*'.repeat(digits.length - shownHead - 2)}${digits.slice(-2)}`;
}

/** The leading digits that identify a number range; SMS pumping walks such ranges. */
export function destinationPrefix(phone: Phone, digits = 7): string {
  return phone.e164.slice(1, 1 + digits);
}

function callingCodeLength(digits: string): number {
  const parsed = parsePhoneNumberFromString(`+${digits}`);
  return parsed?.countryCallingCode.length ?? 2;
}
