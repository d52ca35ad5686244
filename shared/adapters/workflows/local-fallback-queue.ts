import type { FallbackQueue, ScheduledTrigger } from '../../events/fallback-triggers.ts';
import type { FallbackTrigger } from '../../otp/fallback.ts';

type Consumer = (trigger: FallbackTrigger) => Promise<void>;

/**
 * The local stack's fallback queue: each trigger runs after its delay (times `scale`, so tests
 * need not wait a whole timeout), and a run that throws is tried again a second later, up to five
 * times, as SQS redelivers. One process-wide queue, like the webhook queue.
 */
class LocalFallbackQueue implements FallbackQueue {
  private consumer: Consumer | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  scale = 1;

  setConsumer(consumer: Consumer | undefined) {
    this.consumer = consumer;
  }

  async schedule(triggers: readonly ScheduledTrigger[]): Promise<void> {
    for (const t of triggers) this.later(t.trigger, t.delaySeconds * 1000 * this.scale, 1);
  }

  stop() {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private later(trigger: FallbackTrigger, delayMs: number, attempt: number) {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.consumer) return this.later(trigger, 1_000, attempt);
      this.consumer(trigger).catch(() => {
        if (attempt < 5) this.later(trigger, 1_000, attempt + 1);
      });
    }, delayMs);
    timer.unref();
    this.timers.add(timer);
  }
}

let shared: LocalFallbackQueue | undefined;
/** The process's local fallback queue (the publisher schedules, the local stack consumes). */
export const localFallbackQueue = () => (shared ??= new LocalFallbackQueue());
