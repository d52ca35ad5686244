import { randomInt } from 'node:crypto';
import { hmac } from '../crypto/hmac.ts';

/** A code of `length` digits, each drawn from the CSPRNG; randomInt's upper bound is exclusive. */
export function generateCode(length: number): string {
  let code = '';
  for (let i = 0; i < length; i++) code += String(randomInt(0, 10));
  return code;
}

export type Transaction = { amount: string; currency: string; payee: string };

/** One spelling per transaction: `120.5` and `120.50` bind the same amount. */
export function canonicalTransaction(t: Transaction): string {
  const [whole = '0', fraction = ''] = t.amount.split('.');
  const amount = `${BigInt(whole).toString()}${fraction.replace(/0+$/, '') ? `.${fraction.replace(/0+$/, '')}` : ''}`;
  return JSON.stringify([amount, t.currency.toUpperCase(), t.payee.normalize('NFC').trim()]);
}

export function bindingHash(key: Buffer, verificationId: string, t: Transaction): string {
  return hmac(key, 'binding', verificationId, canonicalTransaction(t));
}

/** The stored form of a code: keyed, bound to the verification and (optionally) the transaction. */
export function codeHash(key: Buffer, verificationId: string, code: string, binding: string | undefined): string {
  return hmac(key, 'code', verificationId, code, binding ?? '');
}
