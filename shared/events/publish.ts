import type { AuditEvent } from '../audit/event.ts';
import { fallbackTriggersOf, type FallbackQueue } from './fallback-triggers.ts';
import { audienceKey, matchesTypes, toCloudEvent, type Audience, type CloudEvent } from './cloud-event.ts';

/** One event as a client may read it (GET /v1/events). */
export type FeedEntry = { audience: Audience; event: CloudEvent };
/** One signed POST to one client's webhook, retried on its own (webhooks/deliver.ts). */
export type WebhookJob = { clientId: string; event: CloudEvent };
/** A saved webhook as the publisher needs it: whose, and which types it wants. */
export type WebhookTarget = { clientId: string; types: readonly string[]; scopes?: readonly string[] };

/** The ports the publisher owns; DynamoDB, EventBridge and SQS (or the local stack) implement them. */
export interface EventFeed {
  /** Kept 30 days for GET /v1/events, filed at `publishedAt` (the feed's own clock, see events/feed.ts). */
  append(entries: readonly FeedEntry[], publishedAt: number): Promise<void>;
}
export interface EventBus {
  put(events: readonly CloudEvent[]): Promise<void>;
}
export interface WebhookDirectory {
  /** The webhooks that may receive an audience's events (its client's, or those of clients holding the scope). */
  targets(audience: Audience): Promise<readonly WebhookTarget[]>;
}
export interface WebhookQueue {
  enqueue(jobs: readonly WebhookJob[]): Promise<void>;
}
export interface ClientDirectory {
  /** A calling app's scopes as granted now; undefined once the app is gone. */
  scopesOf(clientId: string): Promise<ReadonlySet<string> | undefined>;
}
export interface MaskLookup {
  /** The masked number of a verification or message, from its first audit event (for events that do not carry it). */
  maskOf(resource: string): Promise<string | undefined>;
}

export type PublishDeps = { feed: EventFeed; bus: EventBus; webhooks: WebhookDirectory; clients: ClientDirectory; queue: WebhookQueue; masks: MaskLookup; fallback: FallbackQueue; now: () => number };

/**
 * The webhooks that may receive an audience's events now: a saved webhook remembers the scopes its
 * client had when it was saved, so each target is checked again against the client as it is today
 * (deleted apps and withdrawn scopes receive nothing more).
 */
async function currentTargets(deps: Pick<PublishDeps, 'webhooks' | 'clients'>, audience: Audience, scopesSeen: Map<string, Promise<ReadonlySet<string> | undefined>>) {
  const saved = await deps.webhooks.targets(audience);
  const allowed = await Promise.all(saved.map(async (t) => {
    let scopes = scopesSeen.get(t.clientId);
    if (!scopes) scopesSeen.set(t.clientId, (scopes = deps.clients.scopesOf(t.clientId)));
    const now = await scopes;
    return now !== undefined && ('scope' in audience ? now.has(audience.scope) : true);
  }));
  return saved.filter((_t, i) => allowed[i]);
}

/**
 * Publishes the events a batch of committed audit events announces. The bus and the webhook queue
 * come first and the feed last: a failed batch is retried whole, so the bus and webhooks may see an
 * event twice (allowed: the id is stable) while the feed, written once at the end, does not repeat.
 */
export async function publishEvents(deps: PublishDeps, audit: readonly AuditEvent[]): Promise<{ published: number; webhookJobs: number; fallbackTriggers: number }> {
  // Workflows move on from committed records too (a repeated batch schedules a trigger twice: the move is conditional).
  const triggers = fallbackTriggersOf(audit);
  if (triggers.length) await deps.fallback.schedule(triggers);
  const entries: FeedEntry[] = [];
  for (const e of audit) {
    const needsMask = !e.subjectMask && e.resource && e.action === 'otp.verify';
    const mapped = toCloudEvent(e, needsMask ? await deps.masks.maskOf(e.resource!) : undefined);
    if (mapped) entries.push(mapped);
  }
  if (!entries.length) return { published: 0, webhookJobs: 0, fallbackTriggers: triggers.length };

  await deps.bus.put(entries.map((x) => x.event));

  const byAudience = new Map<string, readonly WebhookTarget[]>();
  const scopesSeen = new Map<string, Promise<ReadonlySet<string> | undefined>>();
  const jobs: WebhookJob[] = [];
  for (const { audience, event } of entries) {
    const key = audienceKey(audience);
    let targets = byAudience.get(key);
    if (!targets) byAudience.set(key, (targets = await currentTargets(deps, audience, scopesSeen)));
    for (const t of targets) if (matchesTypes(event.type, t.types)) jobs.push({ clientId: t.clientId, event });
  }
  if (jobs.length) await deps.queue.enqueue(jobs);

  await deps.feed.append(entries, deps.now());
  return { published: entries.length, webhookJobs: jobs.length, fallbackTriggers: triggers.length };
}
