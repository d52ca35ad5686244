import { describe, expect, it, vi } from 'vitest';

// Wrap the real CSPRNG so the test can prove generateCode draws from it.
vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:crypto')>();
  return { ...real, randomInt: vi.fn((...args: unknown[]) => (real.randomInt as (...a: unknown[]) => number)(...args)) };
});
const crypto = await import('node:crypto');
const { bindingHash, canonicalTransaction, codeHash, generateCode } = await import('#shared/otp/code');

describe('generateCode', () => {
  it('has the requested number of digits, digits only', () => {
    for (const length of [6, 7, 8, 9, 10]) expect(generateCode(length)).toMatch(new RegExp(`^\\d{${length}}$`));
  });

  it('draws every digit from crypto.randomInt(0, 10), upper bound exclusive', () => {
    const calls = vi.mocked(crypto.randomInt).mock.calls;
    const before = calls.length;
    generateCode(8);
    expect(calls.length - before).toBe(8);
    for (const call of calls.slice(before)) expect(call).toEqual([0, 10]);
  });

  it('uses all ten digits, each in every position, roughly uniformly', () => {
    // Prepare
    const counts = Array.from({ length: 6 }, () => new Array<number>(10).fill(0));
    // Act
    for (let i = 0; i < 20_000; i++) [...generateCode(6)].forEach((d, pos) => counts[pos]![Number(d)]!++);
    // Assess: expected 2000 per cell; 1700..2300 is > 6 standard deviations wide.
    for (const position of counts) for (const n of position) {
      expect(n).toBeGreaterThan(1700);
      expect(n).toBeLessThan(2300);
    }
  });
});

describe('codeHash', () => {
  const key = Buffer.alloc(32, 7);

  it('is keyed, bound to the verification and never contains the code', () => {
    const h = codeHash(key, 'id-1', '123456', undefined);
    expect(h).not.toContain('123456');
    expect(h).not.toBe(codeHash(key, 'id-2', '123456', undefined));
    expect(h).not.toBe(codeHash(Buffer.alloc(32, 8), 'id-1', '123456', undefined));
    expect(h).toBe(codeHash(key, 'id-1', '123456', undefined));
  });

  it('binds the transaction: another amount, currency or payee gives another hash', () => {
    const tx = { amount: '120.50', currency: 'EUR', payee: 'ACME Ltd' };
    const bound = codeHash(key, 'id', '123456', bindingHash(key, 'id', tx));
    expect(bound).not.toBe(codeHash(key, 'id', '123456', undefined));
    for (const other of [{ ...tx, amount: '120.51' }, { ...tx, currency: 'GBP' }, { ...tx, payee: 'ACME Lt' }]) {
      expect(codeHash(key, 'id', '123456', bindingHash(key, 'id', other))).not.toBe(bound);
    }
  });

  it('treats equal amounts written differently as the same transaction', () => {
    const a = canonicalTransaction({ amount: '120.50', currency: 'EUR', payee: 'ACME Ltd' });
    expect(canonicalTransaction({ amount: '120.5', currency: 'EUR', payee: ' ACME Ltd ' })).toBe(a);
    expect(canonicalTransaction({ amount: '120.05', currency: 'EUR', payee: 'ACME Ltd' })).not.toBe(a);
    expect(canonicalTransaction({ amount: '1205', currency: 'EUR', payee: 'ACME Ltd' })).not.toBe(a);
  });
});
