import { lookup as dnsLookup } from 'node:dns/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { isLoopback, isPublicAddress } from '../../webhooks/addresses.ts';
import { hostOf, POST_TIMEOUT_MS, MAX_RESPONSE_BYTES, UnsafeDestination, urlProblem, type PostResult, type UrlPolicy, type WebhookPoster } from '../../webhooks/endpoint.ts';

/** CloudEvents' structured mode over HTTP: the body is the whole event, so the CloudEvents SDKs read a delivery as it is. */
const CLOUDEVENTS_STRUCTURED = 'application/cloudevents+json; charset=utf-8';

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
        headers: { ...headers, 'content-type': CLOUDEVENTS_STRUCTURED, 'content-length': Buffer.byteLength(body), 'user-agent': 'Sealtext-Webhooks/1' },
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
