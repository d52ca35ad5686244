import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand, type _Record } from '@aws-sdk/client-dynamodb-streams';
import { DescribeTableCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyResult, CloudWatchLogsEvent, DynamoDBStreamEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { z } from 'zod';
import { outboxSent, readOutbox, type OutboxEntry } from '#shared/adapters/sms/outbox';
import { localWebhookQueue } from '#shared/adapters/webhooks/local-queue';
import { localFallbackQueue } from '#shared/adapters/workflows/local-fallback-queue';
import { localDynamoClient } from './dynamodb.ts';
import { lambdaContext } from './gateway.ts';
import { parseLocalBody } from './local-json.ts';

type Invoke = (event: unknown, context: ReturnType<typeof lambdaContext>) => Promise<unknown>;
const json = (statusCode: number, body: unknown): APIGatewayProxyResult => ({ statusCode, headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }, body: JSON.stringify(body) });

/**
 * A table's stream, read as Lambda's event source mapping would: every shard from the moment the
 * stack starts, batches handed to the function in order, a failed batch retried (the iterator does
 * not move on until the handler succeeds; a reported item failure resumes from that record).
 * The audit table's feeds the publisher, the archive outbox's the archiver.
 */
export function startStreamPoller(endpoint: string, tableName: string, fn: string, handler: Invoke, everyMs = 250) {
  const dynamo = localDynamoClient(endpoint);
  const streams = new DynamoDBStreamsClient({ endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const iterators = new Map<string, string | undefined>();
  let stopped = false;
  let streamArn: string | undefined;
  let lastDescribe = 0;

  // Shards are read from their start (DynamoDB Local answers LATEST on an empty shard with
  // TrimmedDataAccessException); on a lost iterator, from after the last record read.
  const lastSeq = new Map<string, string>();
  const fromStart = async (shardId: string) => {
    const after = lastSeq.get(shardId);
    const out = await streams.send(new GetShardIteratorCommand({
      StreamArn: streamArn, ShardId: shardId, ...(after ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: after } : { ShardIteratorType: 'TRIM_HORIZON' }),
    }));
    return out.ShardIterator;
  };

  const discover = async (initial: boolean) => {
    streamArn ??= (await dynamo.send(new DescribeTableCommand({ TableName: tableName }))).Table?.LatestStreamArn;
    if (!streamArn) throw new Error(`${tableName} has no stream`);
    const shards = (await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }))).StreamDescription?.Shards ?? [];
    for (const shard of shards) {
      if (!shard.ShardId || iterators.has(shard.ShardId)) continue;
      // Closed shards seen at start hold only what an earlier run published.
      if (initial && shard.SequenceNumberRange?.EndingSequenceNumber) {
        iterators.set(shard.ShardId, undefined);
        continue;
      }
      let iterator = await fromStart(shard.ShardId);
      // At start, what the shard already holds was published by an earlier run: read past it.
      while (initial && iterator) {
        const out = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
        const seq = out.Records?.at(-1)?.dynamodb?.SequenceNumber;
        if (seq) lastSeq.set(shard.ShardId, seq);
        iterator = out.NextShardIterator;
        if (!out.Records?.length) break;
      }
      iterators.set(shard.ShardId, iterator);
    }
    lastDescribe = Date.now();
  };

  const poll = async () => {
    if (Date.now() - lastDescribe > 5_000) await discover(false);
    for (const [shard, iterator] of iterators) {
      if (!iterator) continue;
      let out;
      try {
        out = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 100 }));
      } catch (error) {
        if ((error as Error).name !== 'TrimmedDataAccessException' && (error as Error).name !== 'ExpiredIteratorException') throw error;
        iterators.set(shard, await fromStart(shard));
        continue;
      }
      const records = out.Records ?? [];
      if (records.length) {
        const answer = (await handler({ Records: records.map(toLambdaRecord) }, lambdaContext(fn))) as { batchItemFailures?: { itemIdentifier: string }[] } | undefined;
        const failed = answer?.batchItemFailures?.[0]?.itemIdentifier;
        if (failed) {
          // Lambda's ReportBatchItemFailures: retry from the failed record (the next poll, as after a throw).
          const before = records.findIndex((r) => r.dynamodb?.SequenceNumber === failed) - 1;
          const seq = before >= 0 ? records[before]!.dynamodb!.SequenceNumber! : lastSeq.get(shard);
          if (seq) lastSeq.set(shard, seq);
          else lastSeq.delete(shard);
          iterators.set(shard, await fromStart(shard));
          continue;
        }
      }
      const seq = out.Records?.at(-1)?.dynamodb?.SequenceNumber;
      if (seq) lastSeq.set(shard, seq);
      iterators.set(shard, out.NextShardIterator);
    }
  };

  let running: Promise<void> = Promise.resolve();
  const ready = discover(true);
  const loop = async () => {
    await ready;
    while (!stopped) {
      running = poll().catch((error: unknown) => {
        process.stderr.write(`${fn}: ${(error as Error).name}: ${(error as Error).message}\n`);
      });
      await running;
      await new Promise((r) => setTimeout(r, everyMs));
    }
  };
  void loop();
  return {
    ready,
    stop: async () => {
      stopped = true;
      await running;
      streams.destroy();
      dynamo.destroy();
    },
  };
}

/**
 * Copies a stopped stack left in the archive outbox (kept under .local/dynamodb/): the stream poller
 * starts after what an earlier run saw, so they are handed to the archiver as the inserts they were.
 */
export async function drainArchiveOutbox(endpoint: string, tableName: string, archiver: Invoke): Promise<number> {
  const dynamo = localDynamoClient(endpoint);
  try {
    const items = (await dynamo.send(new ScanCommand({ TableName: tableName, ConsistentRead: true }))).Items ?? [];
    const Records = items.map((NewImage, i) => ({ eventID: `drain-${i}`, eventName: 'INSERT' as const, eventSource: 'aws:dynamodb', dynamodb: { NewImage, SequenceNumber: String(i) } }));
    if (Records.length) await archiver({ Records }, lambdaContext('archive-messages'));
    return Records.length;
  } finally {
    dynamo.destroy();
  }
}

/** A stream record as Lambda hands it over (the SDK's shape with Lambda's field names). */
function toLambdaRecord(r: _Record): DynamoDBStreamEvent['Records'][number] {
  return { eventID: r.eventID, eventName: r.eventName, eventSource: 'aws:dynamodb', dynamodb: r.dynamodb as DynamoDBStreamEvent['Records'][number]['dynamodb'] };
}

/** The webhook queue's consumer: the deliver-webhooks handler, as SQS would invoke it. */
export function consumeWebhookQueue(deliver: Invoke) {
  const queue = localWebhookQueue();
  queue.setConsumer(async (event: SQSEvent) => (await deliver(event, lambdaContext('deliver-webhooks'))) as never);
  return { queue, stop: () => { queue.setConsumer(undefined); queue.stop(); } };
}

/**
 * Workflow fallback on the local stack: the publisher's triggers wait their delay (a step's
 * timeout, times FALLBACK_DELAY_SCALE) and reach the advance-workflows handler as SQS would hand
 * them over; a reported failure is retried.
 */
export function consumeFallbackQueue(advance: Invoke, scale: number) {
  const queue = localFallbackQueue();
  queue.scale = scale;
  queue.setConsumer(async (trigger) => {
    const out = (await advance({ Records: [{ messageId: randomUUID(), body: JSON.stringify(trigger) }] }, lambdaContext('advance-workflows'))) as SQSBatchResponse;
    if (out.batchItemFailures.length) throw new Error('fallback trigger failed');
  });
  return { stop: () => { queue.setConsumer(undefined); queue.stop(); } };
}

/**
 * Delivery receipts on the local stack: every outbox message is `delivered` about a second after it
 * was sent, unless `POST /_local/delivery` said otherwise first. Receipts reach the receipts handler
 * as in AWS: SMS and calls as SNS delivery status log lines in a CloudWatch Logs subscription event,
 * WhatsApp as End User Messaging Social status events, e-mail as SES events (`failed`: a hard bounce). A number `POST /_local/channels` took off
 * WhatsApp gets Meta's "undeliverable" (131026) for each WhatsApp message, within a second, as in AWS.
 */
export function localReceipts(outboxFile: string, receipts: Invoke, afterMs = 1_000) {
  const decided = new Set<string>();
  const offWhatsApp = new Set<string>();
  const timers = new Set<NodeJS.Timeout>();
  let delivering = 0;
  // As Lambda retries a failed asynchronous invocation (the handler fails on a receipt that overtook
  // the write of its SMS's id), a little sooner.
  const deliver = async (entry: OutboxEntry, status: 'delivered' | 'failed') => {
    const event = entry.channel === 'whatsapp' ? socialStatusEvent(entry.id, status, offWhatsApp.has(entry.to))
      : entry.channel === 'email' ? sesEvent(entry.id, status)
        : subscriptionEvent([snsLogLine(entry.id, status)]);
    for (let attempt = 0; ; attempt++) {
      try {
        return await receipts(event, lambdaContext('sms-receipts'));
      } catch (error) {
        // Lambda retries for minutes; here up to ~20 s, which a loaded machine's slowest write still meets.
        if ((error as Error).name !== 'ReceiptsEarly' || attempt >= 10) throw error;
        await new Promise((r) => setTimeout(r, 1_000 + attempt * 250));
      }
    }
  };

  const onSent = (entry: OutboxEntry) => {
    const notOnWhatsApp = entry.channel === 'whatsapp' && offWhatsApp.has(entry.to);
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (decided.has(entry.id)) return;
      delivering++;
      deliver(entry, notOnWhatsApp ? 'failed' : 'delivered')
        .catch((error: unknown) => process.stderr.write(`local receipts: ${(error as Error).name}\n`))
        .finally(() => delivering--);
    }, notOnWhatsApp ? afterMs / 3 : afterMs);
    timer.unref();
    timers.add(timer);
  };
  outboxSent.on('sent', onSent);

  const Phone = z.string().regex(/^\+[1-9]\d{6,14}$/);
  const Body = z.strictObject({ to: z.union([Phone, z.email()]), status: z.enum(['delivered', 'failed']), channel: z.enum(['sms', 'voice', 'whatsapp', 'email']).optional() });
  const route = async (body: string): Promise<APIGatewayProxyResult> => {
    const parsed = parseLocalBody(Body, body);
    if (!parsed) return json(400, { title: 'Send { "to": "+E164" | "<address>", "status": "delivered" | "failed", "channel"?: "sms" | "voice" | "whatsapp" | "email" }', code: 'validation_failed' });
    const last = readOutbox(outboxFile, parsed.to).filter((e) => !parsed.channel || (e.channel ?? 'sms') === parsed.channel).at(-1);
    if (!last) return json(404, { title: `No ${parsed.channel ?? 'message'} was sent to this number`, code: 'not_found' });
    decided.add(last.id);
    await deliver(last, parsed.status);
    return json(200, { status: parsed.status, at: new Date().toISOString() });
  };
  const Channels = z.strictObject({ to: Phone, whatsapp: z.boolean() });
  /** `POST /_local/channels` `{ "to", "whatsapp": false }`: the number is not on WhatsApp (true puts it back). */
  const channelsRoute = async (body: string): Promise<APIGatewayProxyResult> => {
    const parsed = parseLocalBody(Channels, body);
    if (!parsed) return json(400, { title: 'Send { "to": "+E164", "whatsapp": false | true }', code: 'validation_failed' });
    if (parsed.whatsapp) offWhatsApp.delete(parsed.to);
    else offWhatsApp.add(parsed.to);
    return json(200, { to: parsed.to, whatsapp: parsed.whatsapp });
  };
  return {
    route,
    channelsRoute,
    /** Receipts scheduled or being delivered (`GET /_local/delivery/pending`): tests wait for 0 before sealing. */
    pending: () => timers.size + delivering,
    stop: () => {
      outboxSent.off('sent', onSent);
      for (const t of timers) clearTimeout(t);
    },
  };
}

/** One line as SNS writes it to `DirectPublishToPhoneNumber[/Failure]` (the destination left out: nothing reads it). */
function snsLogLine(messageId: string, status: 'delivered' | 'failed'): string {
  return JSON.stringify({
    notification: { messageId, timestamp: new Date().toISOString().replace('T', ' ').replace('Z', '') },
    delivery: { smsType: 'Transactional', providerResponse: status === 'delivered' ? 'Message has been accepted by phone carrier' : 'Phone is currently unreachable/unavailable', dwellTimeMs: 300 },
    status: status === 'delivered' ? 'SUCCESS' : 'FAILURE',
  });
}

/** A WhatsApp status as End User Messaging Social puts it on EventBridge (`aws.social-messaging`). */
/** SES's event through EventBridge (the configuration set's destination): a delivery, or a hard bounce. */
function sesEvent(messageId: string, status: 'delivered' | 'failed') {
  const timestamp = new Date().toISOString();
  return {
    source: 'aws.ses',
    'detail-type': status === 'delivered' ? 'Email Delivered' : 'Email Bounced',
    detail: {
      eventType: status === 'delivered' ? 'Delivery' : 'Bounce',
      mail: { messageId, timestamp },
      ...(status === 'failed' ? { bounce: { bounceType: 'Permanent', bounceSubType: 'General', timestamp } } : {}),
    },
  };
}

function socialStatusEvent(messageId: string, status: 'delivered' | 'failed', notOnWhatsApp: boolean) {
  return {
    source: 'aws.social-messaging',
    'detail-type': status === 'delivered' ? 'WhatsApp Message Delivered' : 'WhatsApp Message Failed',
    detail: {
      messageId,
      status,
      eventTimestamp: String(Math.floor(Date.now() / 1000)),
      ...(status === 'failed' ? { errors: [notOnWhatsApp ? { code: 131026, title: 'Message undeliverable' } : { code: 131000, title: 'Something went wrong' }] } : {}),
    },
  };
}

function subscriptionEvent(lines: string[]): CloudWatchLogsEvent {
  const data = {
    messageType: 'DATA_MESSAGE', owner: '000000000000', logGroup: 'sns/local/000000000000/DirectPublishToPhoneNumber', logStream: 'local',
    subscriptionFilters: ['sealtext-receipts'], logEvents: lines.map((message, i) => ({ id: String(i), timestamp: Date.now(), message })),
  };
  return { awslogs: { data: gzipSync(JSON.stringify(data)).toString('base64') } };
}
