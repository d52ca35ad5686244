import { isIP } from 'node:net';
import * as z from '../zod.ts';
import { described } from '../schema.ts';
import { hmac } from '../crypto/hmac.ts';

/**
 * What a calling app says about the person a request is for. Apps call Sealtext from their own
 * servers, so the address API Gateway sees is the app's backend, shared by all of its users: the
 * per-IP and per-user limits count these instead, and never the caller's own address.
 */
const opaqueId = described(
  z.string().check(z.regex(/^[\x20-\x7e]{1,128}$/, { message: 'Must be 1 to 128 printable ASCII characters' })),
  { description: "The app's own opaque id; stored only as a keyed hash" },
);

const ipMessage = { message: 'Must be an IPv4 or IPv6 address' };
export const EndUserSignals = described(
  z.strictObject({
    ip: described(
      z.optional(z.string().check(z.maxLength(45, ipMessage), z.refine((s) => isIP(s) !== 0, ipMessage))),
      { description: "The end user's IP address (IPv4 or IPv6); stored only as a keyed hash", example: '203.0.113.7' },
    ),
    userId: z.optional(opaqueId),
    deviceId: z.optional(opaqueId),
  }),
  { id: 'EndUserSignals', description: 'Who the request is for: counted by the per-IP and per-user limits' },
);
export type EndUserSignals = z.infer<typeof EndUserSignals>;

/** Keyed hashes of the signals: what is stored and what the limits count. */
export type EndUserKeys = { ip?: string; user?: string; device?: string };

/**
 * The address a limit counts: IPv4 as is; IPv6 by its /64, since one subscriber is routinely given
 * a whole /64 and could otherwise rotate through it; an IPv4-mapped IPv6 address as its IPv4.
 */
export function ipLimitKey(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (isIP(ip) === 4) return ip;
  const groups = expandIpv6(ip);
  return `${groups.slice(0, 4).join(':')}::/64`;
}

function expandIpv6(address: string): string[] {
  // A trailing dotted quad (`64:ff9b::192.0.2.1`) is two groups.
  const ip = address.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_m, a: string, b: string, c: string, d: string) =>
    `${((Number(a) << 8) | Number(b)).toString(16)}:${((Number(c) << 8) | Number(d)).toString(16)}`);
  const [head, tail = ''] = ip.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = ip.includes('::') && tail ? tail.split(':') : [];
  const fill: string[] = ip.includes('::') ? new Array<string>(8 - left.length - right.length).fill('0') : [];
  return [...left, ...fill, ...right].map((g) => g.replace(/^0+(?=.)/, ''));
}

export const ipKey = (blindIndexKey: Buffer, ip: string) => hmac(blindIndexKey, 'ip', ipLimitKey(ip));

export function endUserKeys(blindIndexKey: Buffer, signals: EndUserSignals | undefined): EndUserKeys {
  return {
    ...(signals?.ip ? { ip: ipKey(blindIndexKey, signals.ip) } : {}),
    ...(signals?.userId ? { user: hmac(blindIndexKey, 'user', signals.userId) } : {}),
    ...(signals?.deviceId ? { device: hmac(blindIndexKey, 'device', signals.deviceId) } : {}),
  };
}
