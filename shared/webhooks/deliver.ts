import type { Envelope } from '../crypto/envelope.ts';
import { matchesTypes } from '../events/cloud-event.ts';
import type { WebhookJob } from '../events/publish.ts';
import { retryDelaySeconds } from './backoff.ts';
import type { WebhookPoster } from './endpoint.ts';
import { signedHeaders } from './signature.ts';
import { secretContext, type Webhook } from './webhook.ts';

/** The port for deliveries still to try again later: the queue's message becomes visible after `seconds`. */
export interface RetryLater {
  retryLater(receiptHandle: string, seconds: number): Promise<void>;
}

export type DeliverDeps = {
  /** The client's webhook as saved now (a deleted webhook or a type no longer wanted stops the job). */
  webhookOf: (clientId: string) => Promise<Webhook | undefined>;
  envelope: Envelope;
  poster: WebhookPoster;
  now: () => number;
  random?: () => number;
  /** Shortens the retry schedule (local stack only). */
  retryScale?: number;
};

export type DeliveryOutcome =
  | { outcome: 'delivered'; status: number }
  | { outcome: 'retry'; afterSeconds: number; status?: number }
  | { outcome: 'exhausted'; status?: number }
  | { outcome: 'dropped'; reason: 'no_webhook' | 'type_not_wanted' };

/** The `webhook-id` of an event: the same on every attempt, so receivers can drop duplicates. */
export const webhookId = (eventId: string) => `msg_${eventId}`;

/**
 * One attempt (`attempt` counts from 1) to deliver one event to one client's webhook: signed with
 * the current secret and a fresh timestamp, answered by a 2xx within 10 s or tried again on the
 * backoff schedule (webhooks/backoff.ts). The queue owns the waiting; this decides.
 */
export async function deliverWebhook(deps: DeliverDeps, job: WebhookJob, attempt: number): Promise<DeliveryOutcome> {
  const webhook = await deps.webhookOf(job.clientId);
  if (!webhook) return { outcome: 'dropped', reason: 'no_webhook' };
  if (!matchesTypes(job.event.type, webhook.types)) return { outcome: 'dropped', reason: 'type_not_wanted' };

  const secret = await deps.envelope.open(webhook.sealedSecret, secretContext(job.clientId));
  const body = JSON.stringify(job.event);
  const headers = signedHeaders([secret], webhookId(job.event.id), Math.floor(deps.now() / 1000), body);
  let status: number | undefined;
  try {
    ({ status } = await deps.poster.post(webhook.url, headers, body));
    if (status >= 200 && status < 300) return { outcome: 'delivered', status };
  } catch {
    // Refused address, DNS, TLS, timeout, reset: all retried on the same schedule.
  }
  const afterSeconds = retryDelaySeconds(attempt, deps.random, deps.retryScale);
  if (afterSeconds === undefined) return { outcome: 'exhausted', ...(status !== undefined ? { status } : {}) };
  return { outcome: 'retry', afterSeconds, ...(status !== undefined ? { status } : {}) };
}

/** One queued delivery as the queue hands it over: its job, its receive count, its handle. */
export type QueuedDelivery = { messageId: string; receiptHandle: string; job: WebhookJob; attempt: number };

/** Posts in flight at once for one client within a batch: its share, whatever the others' endpoints do. */
export const PER_CLIENT_IN_FLIGHT = 2;

/**
 * A batch from the queue: each job tried once; a retry hides its message for the backoff, and the
 * retried and exhausted ones are the batch item failures (the queue's redrive dead-letters the
 * exhausted). `onResult` sees each outcome (the handler logs and counts it).
 *
 * Clients are served side by side, each with at most PER_CLIENT_IN_FLIGHT posts at a time, so one
 * client's stalling endpoint (10 s a post) never holds up another's. Once a client's endpoint fails
 * in a batch, its remaining jobs there are not posted but go back on their backoff: a failing
 * receiver costs at most one round of timeouts per batch.
 */
export async function deliverBatch(
  deps: DeliverDeps & { retry: RetryLater },
  batch: readonly QueuedDelivery[],
  onResult: (d: QueuedDelivery, result: DeliveryOutcome) => void = () => undefined,
): Promise<{ batchItemFailures: { itemIdentifier: string }[] }> {
  const batchItemFailures: { itemIdentifier: string }[] = [];
  const byClient = new Map<string, QueuedDelivery[]>();
  for (const d of batch) byClient.set(d.job.clientId, [...(byClient.get(d.job.clientId) ?? []), d]);

  const settle = async (d: QueuedDelivery, result: DeliveryOutcome) => {
    onResult(d, result);
    if (result.outcome === 'retry') await deps.retry.retryLater(d.receiptHandle, result.afterSeconds);
    if (result.outcome === 'retry' || result.outcome === 'exhausted') batchItemFailures.push({ itemIdentifier: d.messageId });
  };
  await Promise.all([...byClient.values()].map(async (jobs) => {
    let next = 0;
    let failing = false;
    const worker = async () => {
      while (next < jobs.length) {
        const d = jobs[next++]!;
        const result = failing ? deferred(deps, d.attempt) : await deliverWebhook(deps, d.job, d.attempt);
        if (result.outcome === 'retry' || result.outcome === 'exhausted') failing = true;
        await settle(d, result);
      }
    };
    await Promise.all(Array.from({ length: Math.min(PER_CLIENT_IN_FLIGHT, jobs.length) }, worker));
  }));
  return { batchItemFailures };
}

/** A job not posted because its endpoint just failed: back on its backoff, as a failed attempt would be. */
function deferred(deps: Pick<DeliverDeps, 'random' | 'retryScale'>, attempt: number): DeliveryOutcome {
  const afterSeconds = retryDelaySeconds(attempt, deps.random, deps.retryScale);
  return afterSeconds === undefined ? { outcome: 'exhausted' } : { outcome: 'retry', afterSeconds };
}

/** An SQS record as a queued delivery: the receive count is the attempt number. */
export const queuedDelivery = (r: { messageId: string; receiptHandle: string; body: string; attributes: { ApproximateReceiveCount?: string } }): QueuedDelivery => ({
  messageId: r.messageId, receiptHandle: r.receiptHandle, job: JSON.parse(r.body) as WebhookJob, attempt: Number(r.attributes.ApproximateReceiveCount ?? '1'),
});
