import type { ReceiptTarget } from '../../delivery/receipt.ts';

/**
 * The keys of the two records that send SMS, once: verifications (`OTP#<id>` / `OTP`) and messages
 * (`MSG#<id>` / `MSG`). Their stores, receipts and the expiry sweep all address them through these.
 */
const RECORDS = { otp: { prefix: 'OTP#', sk: 'OTP' }, message: { prefix: 'MSG#', sk: 'MSG' } } as const;
export const recordKey = (kind: ReceiptTarget['kind'], id: string) => ({ pk: `${RECORDS[kind].prefix}${id}`, sk: RECORDS[kind].sk });
export function recordOfKey(pk: string): Pick<ReceiptTarget, 'kind' | 'id'> | undefined {
  if (pk.startsWith(RECORDS.otp.prefix)) return { kind: 'otp', id: pk.slice(RECORDS.otp.prefix.length) };
  if (pk.startsWith(RECORDS.message.prefix)) return { kind: 'message', id: pk.slice(RECORDS.message.prefix.length) };
  return undefined;
}
