import type { WebhookStore } from '../webhooks/webhook.ts';
import type { Audience } from './cloud-event.ts';
import type { WebhookDirectory, WebhookTarget } from './publish.ts';

/** A saved or changed webhook receives the events committed from this long after the save (the feed has them all). */
export const WEBHOOK_DIRECTORY_TTL_MS = 5_000;

/**
 * The publisher's view of the saved webhooks, read at most once per `ttlMs` per key: a busy stream
 * does not read the same webhook item for every batch. A change reaches deliveries within `ttlMs`
 * (the deliverer itself always reads the webhook as saved now).
 */
export class CachedWebhookDirectory implements WebhookDirectory {
  private readonly cache = new Map<string, { at: number; targets: readonly WebhookTarget[] }>();

  constructor(private readonly store: Pick<WebhookStore, 'get' | 'list'>, private readonly ttlMs = WEBHOOK_DIRECTORY_TTL_MS, private readonly now: () => number = Date.now) {}

  async targets(audience: Audience): Promise<readonly WebhookTarget[]> {
    const key = 'client' in audience ? `client:${audience.client}` : 'all';
    const hit = this.cache.get(key);
    let targets: readonly WebhookTarget[];
    if (hit && this.now() - hit.at < this.ttlMs) targets = hit.targets;
    else {
      const found = 'client' in audience ? [await this.store.get(audience.client)].filter((w) => w !== undefined) : await this.store.list();
      targets = found.map((w) => ({ clientId: w.clientId, types: w.types, scopes: w.scopes }));
      this.cache.set(key, { at: this.now(), targets });
    }
    if ('client' in audience) return targets;
    return targets.filter((t) => t.scopes?.includes(audience.scope));
  }
}
