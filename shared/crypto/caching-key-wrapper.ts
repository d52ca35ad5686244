import { canonicalContext, type KeyContext, type KeyWrapper } from './envelope.ts';

/**
 * Bounded data-key caching (as the AWS Encryption SDK's caching CMM does): a data key is reused for
 * at most `maxAgeMs` and `maxUses` encryptions under the same key context, and an unwrapped key is
 * remembered for as long, so a warm function makes at most one KMS call per purpose per window.
 * Every record still gets its own IV and its own AAD (the record id). The bound limits what one
 * leaked data key exposes; docs/security.md gives the numbers.
 */
export type CacheLimits = { maxAgeMs: number; maxUses: number; maxEntries: number };
const DEFAULT_CACHE_LIMITS: CacheLimits = { maxAgeMs: 5 * 60_000, maxUses: 1000, maxEntries: 100 };

type DataKey = { plaintext: Buffer; wrapped: Buffer };
/** The promise is cached, so concurrent callers share one key-service call. */
type Entry = { key: Promise<DataKey>; createdAt: number; uses: number };

export class CachingKeyWrapper implements KeyWrapper {
  private readonly encrypting = new Map<string, Entry>();
  private readonly decrypting = new Map<string, Entry>();

  constructor(
    private readonly inner: KeyWrapper,
    private readonly limits: CacheLimits = DEFAULT_CACHE_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  generateDataKey(context: KeyContext): Promise<DataKey> {
    const id = canonicalContext(context).toString('base64');
    return this.cached(this.encrypting, id, () => this.inner.generateDataKey(context));
  }

  async unwrapDataKey(wrapped: Buffer, context: KeyContext): Promise<Buffer> {
    const id = `${canonicalContext(context).toString('base64')}|${wrapped.toString('base64')}`;
    return (await this.cached(this.decrypting, id, async () => ({ plaintext: await this.inner.unwrapDataKey(wrapped, context), wrapped }))).plaintext;
  }

  private cached(map: Map<string, Entry>, id: string, load: () => Promise<DataKey>): Promise<DataKey> {
    const entry = this.fresh(map, id);
    if (entry) return entry.key;
    const key = load();
    // A failed call must not be served from the cache.
    key.catch(() => map.get(id)?.key === key && map.delete(id));
    if (map.size >= this.limits.maxEntries) map.delete(map.keys().next().value!);
    map.set(id, { key, createdAt: this.now(), uses: 1 });
    return key;
  }

  private fresh(map: Map<string, Entry>, id: string): Entry | undefined {
    const entry = map.get(id);
    if (!entry) return undefined;
    if (this.now() - entry.createdAt >= this.limits.maxAgeMs || entry.uses >= this.limits.maxUses) {
      map.delete(id);
      return undefined;
    }
    entry.uses++;
    return entry;
  }
}
