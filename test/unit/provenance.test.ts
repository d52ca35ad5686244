import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { codeProvenanceHash, maskCodes, normaliseText, provenanceHash } from '#shared/provenance/provenance';
import { renderOtpSms } from '#shared/otp/sms-text';

const keys = { blindIndexKey: randomBytes(32) };

describe('provenance hashing', () => {
  it('survives what forwarding does to a text: line endings, spaces at line ends, accents composed or not', () => {
    const sent = 'Acme Bank: 123456 is your sign-in code.\nDon\u2019t share it. Café';
    for (const forwarded of [
      'Acme Bank: 123456 is your sign-in code.\r\nDon\u2019t share it. Café\n',
      '  Acme Bank: 123456 is your sign-in code.  \nDon\u2019t share it. Cafe\u0301',
      'Acme Bank:  123456 is your sign-in code.\nDon\u2019t share it.\u00a0Café',
    ]) expect(provenanceHash(keys, '+447400123456', forwarded)).toBe(provenanceHash(keys, '+447400123456', sent));
    expect(normaliseText(' a \r\n b ')).toBe('a\nb');
  });

  it('tells apart any change of what was said, another number, another key', () => {
    const h = provenanceHash(keys, '+447400123456', 'Acme Bank: 123456 is your sign-in code.');
    expect(provenanceHash(keys, '+447400123456', 'Acme Bank: 123457 is your sign-in code.')).not.toBe(h);
    expect(provenanceHash(keys, '+447400123456', 'Acme Bank: 123456 is your sign in code.')).not.toBe(h);
    expect(provenanceHash(keys, '+447400123457', 'Acme Bank: 123456 is your sign-in code.')).not.toBe(h);
    expect(provenanceHash({ blindIndexKey: randomBytes(32) }, '+447400123456', 'Acme Bank: 123456 is your sign-in code.')).not.toBe(h);
    // A keyed hash: neither the number nor the code is in it.
    expect(h).not.toMatch(/123456|447400/);
    expect(h).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});

describe('provenance of a code message', () => {
  const purposes = ['login', 'transaction', 'password_reset', 'delivery', 'generic'] as const;
  it('hashes every code text alike whatever its code, in every locale and purpose, with or without the WebOTP line', () => {
    for (const locale of ['en', 'de'] as const) {
      for (const purpose of purposes) {
        for (const domain of [undefined, 'bank.example']) {
          const vars = { brand: 'Acme 2024', minutes: 5, purpose, ...(purpose === 'transaction' ? { transaction: { amount: '1000000.00', currency: 'GBP', payee: 'Shop 4711' } } : {}) };
          const texts = ['123456', '000000', '9876543210'].map((code) => renderOtpSms(locale, { ...vars, code }, domain));
          const hashes = new Set(texts.map((t) => codeProvenanceHash(keys, '+447400123456', t)));
          expect(hashes.size, `${locale} ${purpose} ${domain}`).toBe(1);
          for (const t of texts) expect(maskCodes(normaliseText(t))).not.toMatch(/123456|000000|9876543210/);
        }
      }
    }
  });

  it('still tells apart other words, another number, and a message of the same words', () => {
    const text = 'Acme Bank: 123456 is your sign-in code. It expires in 5 min.';
    const h = codeProvenanceHash(keys, '+447400123456', text);
    expect(codeProvenanceHash(keys, '+447400123456', text.replace('sign-in', 'payment'))).not.toBe(h);
    expect(codeProvenanceHash(keys, '+447400123457', text)).not.toBe(h);
    expect(provenanceHash(keys, '+447400123456', text.replace('123456', '#'))).not.toBe(h);
    expect(maskCodes('PIN 4921, ref 12345, card 1234567890123')).toBe('PIN 4921, ref 12345, card 1234567890123');
  });
});
