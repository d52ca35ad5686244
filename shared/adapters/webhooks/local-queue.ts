import { randomUUID } from 'node:crypto';
import type { SQSEvent, SQSBatchResponse } from 'aws-lambda';
import type { WebhookJob, WebhookQueue } from '../../events/publish.ts';
import { MAX_ATTEMPTS } from '../../webhooks/backoff.ts';
import type { RetryLater } from '../../webhooks/deliver.ts';

type Consumer = (event: SQSEvent) => Promise<SQSBatchResponse | void>;
type Message = { id: string; body: string; receives: number; timer?: NodeJS.Timeout };

/**
 * The local stack's webhook queue, with SQS's semantics where they matter: a message is handed to
 * the consumer (the deliver-webhooks handler) with its receive count, a failed one comes back
 * when its visibility ends (by default at once; the handler sets the backoff), and after
 * MAX_ATTEMPTS receives it moves to the dead letters. One process-wide queue, like the outbox.
 */
export class LocalWebhookQueue implements WebhookQueue, RetryLater {
  private readonly messages = new Map<string, Message>();
  readonly dead: WebhookJob[] = [];
  private consumer: Consumer | undefined;
  private readonly visibleAfter = new Map<string, number>();

  setConsumer(consumer: Consumer | undefined) {
    this.consumer = consumer;
  }

  async enqueue(jobs: readonly WebhookJob[]): Promise<void> {
    for (const job of jobs) {
      const m: Message = { id: randomUUID(), body: JSON.stringify(job), receives: 0 };
      this.messages.set(m.id, m);
      this.schedule(m, 0);
    }
  }

  async retryLater(receiptHandle: string, seconds: number): Promise<void> {
    this.visibleAfter.set(receiptHandle, seconds * 1000);
  }

  /** Waits for nothing: stops every timer (the stack is stopping). */
  stop() {
    for (const m of this.messages.values()) clearTimeout(m.timer);
    this.messages.clear();
  }

  private schedule(m: Message, delayMs: number) {
    m.timer = setTimeout(() => void this.receive(m), delayMs);
    m.timer.unref();
  }

  private async receive(m: Message) {
    if (!this.consumer) return this.schedule(m, 1_000);
    m.receives++;
    let failed = true;
    try {
      const out = await this.consumer({
        Records: [{
          messageId: m.id, receiptHandle: m.id, body: m.body, attributes: { ApproximateReceiveCount: String(m.receives) },
        } as unknown as SQSEvent['Records'][number]],
      });
      failed = Boolean(out && out.batchItemFailures.some((f) => f.itemIdentifier === m.id));
    } catch {
      failed = true;
    }
    const wait = this.visibleAfter.get(m.id) ?? 1_000;
    this.visibleAfter.delete(m.id);
    if (!failed) this.messages.delete(m.id);
    else if (m.receives >= MAX_ATTEMPTS) {
      this.messages.delete(m.id);
      this.dead.push(JSON.parse(m.body) as WebhookJob);
    } else this.schedule(m, wait);
  }
}

let shared: LocalWebhookQueue | undefined;
/** The process's local queue (the publisher enqueues, the local stack consumes). */
export const localWebhookQueue = () => (shared ??= new LocalWebhookQueue());
