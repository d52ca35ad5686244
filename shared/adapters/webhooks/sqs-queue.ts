import type { RetryLater } from '../../webhooks/deliver.ts';
import { ChangeMessageVisibilityCommand, SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { WebhookJob, WebhookQueue } from '../../events/publish.ts';

/** SQS queue maximum visibility timeout: 12 hours; the schedule's longest wait is 11 h. */
const MAX_VISIBILITY_SECONDS = 43_200;

/**
 * The webhook queue in AWS: one message per job; a failed attempt hides its message for the
 * backoff (ChangeMessageVisibility) and the receive count is the attempt number. After the last
 * attempt the redrive policy moves it to the dead-letter queue, which has an alarm.
 */
export class SqsWebhookQueue implements WebhookQueue, RetryLater {
  constructor(private readonly sqs: SQSClient, private readonly queueUrl: string) {}

  async enqueue(jobs: readonly WebhookJob[]): Promise<void> {
    for (let i = 0; i < jobs.length; i += 10) {
      const batch = jobs.slice(i, i + 10);
      const out = await this.sqs.send(new SendMessageBatchCommand({
        QueueUrl: this.queueUrl,
        Entries: batch.map((job, n) => ({ Id: String(n), MessageBody: JSON.stringify(job) })),
      }));
      if (out.Failed?.length) throw new Error(`SQS refused ${out.Failed.length} webhook job(s)`);
    }
  }

  async retryLater(receiptHandle: string, seconds: number): Promise<void> {
    await this.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: this.queueUrl, ReceiptHandle: receiptHandle, VisibilityTimeout: Math.min(seconds, MAX_VISIBILITY_SECONDS) }));
  }
}
