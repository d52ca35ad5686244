import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { FallbackQueue, ScheduledTrigger } from '../../events/fallback-triggers.ts';

/** SQS's longest message delay. */
const MAX_DELAY_SECONDS = 900;

/** Fallback triggers in AWS: one message each, delayed by the step's timeout; functions/advance-workflows.ts consumes them. */
export class SqsFallbackQueue implements FallbackQueue {
  constructor(private readonly sqs: SQSClient, private readonly queueUrl: string) {}

  async schedule(triggers: readonly ScheduledTrigger[]): Promise<void> {
    for (let i = 0; i < triggers.length; i += 10) {
      const batch = triggers.slice(i, i + 10);
      const out = await this.sqs.send(new SendMessageBatchCommand({
        QueueUrl: this.queueUrl,
        Entries: batch.map((t, n) => ({ Id: String(n), MessageBody: JSON.stringify(t.trigger), DelaySeconds: Math.min(Math.max(0, Math.round(t.delaySeconds)), MAX_DELAY_SECONDS) })),
      }));
      // The whole batch is retried by the stream: a trigger twice is harmless (the move is conditional).
      if (out.Failed?.length) throw new Error(`SQS refused ${out.Failed.length} fallback trigger(s)`);
    }
  }
}
