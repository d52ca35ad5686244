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
