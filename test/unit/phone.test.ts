import { describe, expect, it } from 'vitest';
import { checkDestination } from '#shared/phone/destination';
import { destinationPrefix, isRefusedNumberType, maskPhone, parsePhone } from '#shared/phone/phone';

describe('parsePhone', () => {
  it('accepts real numbers in strict E.164 and names their country', () => {
    expect(parsePhone('+447400123456')).toMatchObject({ e164: '+447400123456', country: 'GB', type: 'MOBILE' });
    expect(parsePhone('+4915123456789')).toMatchObject({ country: 'DE', type: 'MOBILE' });
    expect(parsePhone('+14155550123')).toMatchObject({ country: 'US' });
  });
  it('refuses anything that is not E.164 or not in the numbering plan', () => {
    for (const bad of ['447400123456', '+44 7400 123456', '+0123456789', '+1234567', '+4474001234567890', '+447700900123', '']) {
      expect(parsePhone(bad), bad).toBeUndefined();
    }
  });
  it('knows premium-rate and fixed lines from mobiles', () => {
    expect(isRefusedNumberType(parsePhone('+449098790123')!)).toBe(true);
    expect(isRefusedNumberType(parsePhone('+442071838750')!)).toBe(true);
    expect(isRefusedNumberType(parsePhone('+447400123456')!)).toBe(false);
  });
});

describe('maskPhone', () => {
  it('shows the calling code, two more digits and the last two, as the contract shows', () => {
    expect(maskPhone('+447400123456')).toBe('+4474******56');
    expect(maskPhone('+14155550123')).toBe('+141******23');
    expect(maskPhone('+4915123456789')).toBe('+4915*******89');
  });
  it('never reveals more than six digits of the number', () => {
    const masked = maskPhone('+447400123456');
    expect(masked.replace(/\D/g, '').length).toBeLessThanOrEqual(6);
  });
});

describe('checkDestination', () => {
  const allowed = new Set(['GB']);
  it('returns the number when country and type are allowed', () => {
    expect(checkDestination('+447400123456', allowed).country).toBe('GB');
  });
  it('answers 400 for a number that does not exist, 403 for a country or type not allowed', () => {
    expect(() => checkDestination('+447700900123', allowed)).toThrowError(expect.objectContaining({ status: 400, code: 'validation_failed' }));
    expect(() => checkDestination('+4915123456789', allowed)).toThrowError(expect.objectContaining({ status: 403, code: 'destination_not_allowed' }));
    expect(() => checkDestination('+449098790123', allowed)).toThrowError(expect.objectContaining({ status: 403, code: 'destination_not_allowed' }));
  });
  it('gives the first seven digits as the range prefix', () => {
    expect(destinationPrefix(parsePhone('+447400123456')!)).toBe('4474001');
  });
});

describe('the numbering plans the functions parse with', () => {
  it('are the installed libphonenumber-js max set without its formatting rules (npm run phone:plans after an upgrade)', async () => {
    const { default: max } = await import('libphonenumber-js/max/metadata');
    const { NUMBERING_PLANS_JSON } = await import('../../shared/phone/numbering-plans.data.ts');
    const committed: unknown = JSON.parse(NUMBERING_PLANS_JSON);
    const { parsingMetadata } = await import('#shared/phone/numbering-plans');
    expect(committed).toEqual(parsingMetadata(max));
  });

  it('parse, validate and type 20,000 numbers exactly as the complete set does', async () => {
    const { parsePhoneNumberFromString: full } = await import('libphonenumber-js/max');
    const { default: max } = await import('libphonenumber-js/max/metadata');
    const codes = Object.keys((max as unknown as { country_calling_codes: Record<string, string[]> }).country_calling_codes);
    // A deterministic spread: every calling code, random national digits of every plausible length.
    let seed = 42;
    const rand = (n: number) => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31), seed % n);
    let valid = 0;
    for (let i = 0; i < 20_000; i++) {
      const cc = codes[i % codes.length]!;
      const digits = Array.from({ length: 6 + rand(9) }, () => rand(10)).join('');
      const input = `+${cc}${digits}`;
      const ref = /^\+[1-9]\d{7,14}$/.test(input) ? full(input) : undefined;
      const expected = ref?.isValid() && ref.country ? { e164: ref.number, country: ref.country, callingCode: ref.countryCallingCode, type: ref.getType() } : undefined;
      expect(parsePhone(input), input).toEqual(expected);
      if (expected) valid++;
    }
    expect(valid).toBeGreaterThan(1_000); // the sample holds real numbers, not only refusals
  });
});
