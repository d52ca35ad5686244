import { lookup as dnsLookup } from 'node:dns/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
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
const hostOf = (url: URL) => url.hostname.replace(/^\[|\]$/g, '').toLowerCase();

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

type Resolve = (host: string) => Promise<{ address: string; family: number }[]>;
const systemResolve: Resolve = (host) => dnsLookup(host, { all: true, verbatim: true });

/**
 * Posts with node's http(s) client: the host is resolved first and every address it has must be
 * allowed; the connection goes to that vetted address (the `lookup` hook pins it) while TLS still
 * checks the certificate against the name. Redirects are not followed (a 3xx is a failure), the
 * whole exchange is cut at 10 s, and at most MAX_RESPONSE_BYTES of the answer are read.
 */
export class HttpWebhookPoster implements WebhookPoster {
  constructor(private readonly policy: UrlPolicy, private readonly resolve: Resolve = systemResolve, private readonly timeoutMs = POST_TIMEOUT_MS) {}

  async post(rawUrl: string, headers: Record<string, string>, body: string): Promise<PostResult> {
    if (urlProblem(rawUrl, this.policy)) throw new UnsafeDestination();
    const url = new URL(rawUrl);
    const host = hostOf(url);
    // One deadline for the whole exchange, name resolution included: a stalling resolver is cut too.
    const deadline = AbortSignal.timeout(this.timeoutMs);
    const addresses = isIP(host) ? [{ address: host, family: isIP(host) }] : await withDeadline(this.resolve(host), deadline);
    const allowed = (a: string) => isPublicAddress(a) || (this.policy.allowLoopback && isLoopback(a));
    if (!addresses.length || !addresses.every((a) => allowed(a.address))) throw new UnsafeDestination();
    const pinned = addresses[0]!;
    const lookup: LookupFunction = (_hostname, options, callback) => {
      if ((options as { all?: boolean }).all) (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [pinned]);
      else callback(null, pinned.address, pinned.family);
    };
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<PostResult>((resolve, reject) => {
      const req = send(url, {
        method: 'POST',
        lookup,
        headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'user-agent': 'Sealtext-Webhooks/1' },
        signal: deadline,
      }, (res) => {
        let read = 0;
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > MAX_RESPONSE_BYTES) res.destroy();
        });
        const done = () => resolve({ status: res.statusCode ?? 0 });
        res.on('end', done);
        res.on('close', done);
        res.on('error', done);
      });
      req.on('error', reject);
      req.end(body);
    });
  }
}

/** The promise, or a rejection once the signal aborts (whichever comes first). */
function withDeadline<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
