import { isIP } from 'node:net';
import { isLoopback, isPublicAddress } from './addresses.ts';

/**
 * Webhook URLs: what may be saved, and the one way a delivery is made. `https` only, except that
 * the local stack (allowLoopback) may also post to http://127.0.0.1 or http://localhost, where a
 * developer's receiver runs. No credentials in the URL, no fragments.
 */
export type UrlPolicy = { allowLoopback: boolean };

/** Why a URL cannot be saved, as a sentence for the 400 (never echoing the URL); undefined if it can. */
export function urlProblem(raw: string, policy: UrlPolicy): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'Must be an absolute URL';
  }
  if (url.username || url.password) return 'Must not carry credentials';
  if (url.hash) return 'Must not have a fragment';
  const host = hostOf(url);
  const local = host === 'localhost' || (isIP(host) !== 0 && isLoopback(host));
  if (url.protocol === 'http:' && !(policy.allowLoopback && local)) return policy.allowLoopback ? 'Must use https (or http to 127.0.0.1 or localhost)' : 'Must use https';
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'Must use https';
  if (local) return policy.allowLoopback ? undefined : 'Must not point at a loopback address';
  // HTTPS ports only: a receiver on another port is more likely an internal service than a webhook.
  if (url.port !== '' && !ALLOWED_PORTS.has(url.port)) return 'Must use port 443 or 8443';
  // The URL parser has already turned decimal, octal and hex IPv4 forms into dotted quads.
  if (isIP(host) !== 0 && !isPublicAddress(host)) return 'Must not point at a private, loopback or link-local address';
  return undefined;
}

const ALLOWED_PORTS: ReadonlySet<string> = new Set(['443', '8443']);
export const hostOf = (url: URL) => url.hostname.replace(/^\[|\]$/g, '').toLowerCase();

export class UnsafeDestination extends Error {
  constructor() {
    super('The webhook host resolves to an address that is not allowed');
    this.name = 'UnsafeDestination';
  }
}

export type PostResult = { status: number };
/** The port the deliverer posts through (faked in unit tests). */
export interface WebhookPoster {
  post(url: string, headers: Record<string, string>, body: string): Promise<PostResult>;
}

export const POST_TIMEOUT_MS = 10_000;
/** How much of the receiver's answer is read: the status is all that matters. */
export const MAX_RESPONSE_BYTES = 4_096;
