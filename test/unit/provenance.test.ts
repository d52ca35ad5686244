import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { normaliseText, provenanceHash } from '#shared/provenance/provenance';

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
