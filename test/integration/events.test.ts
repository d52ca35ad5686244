import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-dynamodb-streams';
import { DescribeTableCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import { ALL_SCOPES } from '#shared/http/scopes';
import { describe, expect, inject, it } from 'vitest';
import type { AuditEvent } from '#shared/audit/event';
import { applyReceipts, RECEIPT_RACE_WINDOW_MS } from '#shared/delivery/receipt';
import { fromEumEvent } from '#shared/delivery/provider-receipts';
import { resendOtp } from '#shared/otp/manage';
import { sweepExpiries } from '#shared/events/expiry-sweep';
import { listEvents } from '#shared/events/feed';
import { publishEvents, type FeedEntry, type WebhookJob } from '#shared/events/publish';
import { CachedWebhookDirectory } from '#shared/events/webhook-directory';
import { issueOtp } from '#shared/otp/issue';
import { cancelOtp } from '#shared/otp/manage';
import { IssueOtpRequest } from '#shared/otp/schemas';
import { verifyOtp } from '#shared/otp/verify';
import { DEFAULT_LIMITS } from '#shared/ratelimit/limits';
import { DynamoEventFeed } from '#shared/adapters/store/event-feed-store';
import { DynamoExpiryStore } from '#shared/adapters/store/expiry-store';
import { AuditMaskLookup } from '#shared/adapters/store/mask-lookup';
import { DynamoReceiptStore } from '#shared/adapters/store/receipt-store';
import { DynamoWebhookStore } from '#shared/adapters/store/webhook-store';
import { deliverBatch, queuedDelivery } from '#shared/webhooks/deliver';
import { HttpWebhookPoster } from '#shared/adapters/webhooks/http-poster';
import { LocalWebhookQueue } from '#shared/adapters/webhooks/local-queue';
import { verify } from '#shared/webhooks/signature';
import { putWebhook } from '#shared/webhooks/webhook';
import { localDynamoClient } from '../../infra/local/dynamodb.ts';
import { randomUkMobile } from '../support/phones.ts';
import { dynamoOtpDeps, freshTables } from './deps.ts';

/**
 * The outbox on DynamoDB Local: events come from the audit table's stream, so only committed
 * actions announce anything; receipts and the expiry sweep are conditional writes with their
 * events; webhook jobs are retried with the same id; each client sees its own events only.
 */
async function world() {
  const tables = await freshTables('events');
  const ctx = dynamoOtpDeps(tables);
  const endpoint = inject('dynamoEndpoint');
  const streamArn = (await localDynamoClient(endpoint).send(new DescribeTableCommand({ TableName: tables.Audit }))).Table!.LatestStreamArn!;
  const streams = new DynamoDBStreamsClient({ endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  /** Every audit event the stream holds so far, as the publisher receives them. */
  const streamed = async (): Promise<AuditEvent[]> => {
    const shards = (await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }))).StreamDescription?.Shards ?? [];
    const events: AuditEvent[] = [];
    for (const shard of shards) {
      let it = (await streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
      while (it) {
        const out = await streams.send(new GetRecordsCommand({ ShardIterator: it }));
        for (const r of out.Records ?? []) {
          const item = unmarshall(r.dynamodb!.NewImage as Record<string, AttributeValue>);
          if (r.eventName === 'INSERT' && String(item.pk).startsWith('E#')) events.push(item as AuditEvent);
        }
        if (!out.Records?.length) break;
        it = out.NextShardIterator;
      }
    }
    return events;
  };
  const feed = new DynamoEventFeed(ctx.doc, tables.Data);
  const webhooks = new DynamoWebhookStore(ctx.doc, tables.Data, ctx.trail.items);
  const publish = async (jobs: WebhookJob[] = [], bus: FeedEntry['event'][] = []) =>
    publishEvents({
      feed, bus: { put: async (e) => void bus.push(...e) }, queue: { enqueue: async (j) => void jobs.push(...j) },
      webhooks: new CachedWebhookDirectory(webhooks, 0), clients: { scopesOf: async () => new Set(ALL_SCOPES) }, masks: new AuditMaskLookup(ctx.doc, tables.Audit), fallback: { schedule: async () => undefined }, now: () => Date.now() - 60_000,
    }, await streamed());
  return { tables, ctx, streamed, feed, webhooks, publish };
}

const issue = (w: Awaited<ReturnType<typeof world>>, client: string, to = randomUkMobile()) => issueOtp(w.ctx.deps, client, IssueOtpRequest.parse({ to }));

describe('events from committed records only (DynamoDB Local streams)', () => {
  it('announces what committed, nothing for refused or failed actions, each to its owner', async () => {
    const w = await world();
    const a = await issue(w, 'app-a');
    const to = randomUkMobile();
    const b = await issue(w, 'app-b', to);
    // A refused issue (the number's window is full) commits nothing, so it announces nothing.
    w.ctx.deps.limits = { ...DEFAULT_LIMITS, phoneShort: { ...DEFAULT_LIMITS.phoneShort, limit: 1 } };
    await expect(issue(w, 'app-b', to)).rejects.toMatchObject({ code: 'rate_limited' });
    w.ctx.deps.limits = DEFAULT_LIMITS;
    // A wrong code is an attempt, not an event for apps; a cancel of another client's verification is a 404.
    await expect(verifyOtp(w.ctx.deps, 'app-a', a.verificationId, { code: '00000000' })).rejects.toMatchObject({ status: 422 });
    await expect(cancelOtp(w.ctx.deps, 'app-a', b.verificationId)).rejects.toMatchObject({ code: 'not_found' });
    await verifyOtp(w.ctx.deps, 'app-a', a.verificationId, { code: w.ctx.sms.lastCode(w.ctx.sms.sent[0]!.to) });
    await cancelOtp(w.ctx.deps, 'app-b', b.verificationId);

    const bus: FeedEntry['event'][] = [];
    await w.publish([], bus);
    expect(bus.map((e) => `${e.type}:${e.data.verificationId === a.verificationId ? 'a' : 'b'}`)).toEqual([
      'verification.pending:a', 'verification.pending:b', 'verification.approved:a', 'verification.canceled:b',
    ]);
    // The approval's event carries the mask, found through the verification's first event.
    expect(bus[2]!.data.to).toMatch(/^\+44\d{2}\*{6}\d{2}$/);

    const now = () => Date.now() + 30_000;
    const pageOf = async (clientId: string) => (await listEvents({ feed: w.feed, now }, { clientId, scopes: new Set() }, { limit: 50 })).events;
    expect((await pageOf('app-a')).map((e) => e.type)).toEqual(['verification.pending', 'verification.approved']);
    expect((await pageOf('app-b')).map((e) => e.type)).toEqual(['verification.pending', 'verification.canceled']);
    expect(await pageOf('app-c')).toEqual([]);
  });
});

describe('receipts and the expiry sweep (conditional writes with their events)', () => {
  it('on End User Messaging stages: one DynamoDB call per issue, the receipt finds its record by the reference the SMS carried', async () => {
    const w = await world();
    const calls: string[] = [];
    w.ctx.doc.middlewareStack.add((next, context) => async (args) => (calls.push(String(context.commandName)), next(args)), { step: 'initialize', name: 'countCalls' });
    const sent: { ref?: string }[] = [];
    const deps = { ...w.ctx.deps, sms: { echoesRef: true, send: async (sms: { ref?: string }) => (sent.push(sms), { messageId: `eum-${sent.length}` }) } };
    const issued = await issueOtp(deps, 'app-a', IssueOtpRequest.parse({ to: randomUkMobile() }));
    // The issue's transaction and nothing else: no provider id to record.
    expect(calls).toEqual(['TransactWriteItemsCommand']);
    expect(sent[0]!.ref).toBe(`otp:${issued.verificationId}:1`);
    const receipts = new DynamoReceiptStore(w.ctx.doc, w.tables.Data, w.ctx.trail.items);
    const at = Date.now();
    const eum = (status: string, isFinal: boolean, ref = sent[0]!.ref) => fromEumEvent({ source: 'aws.sms-voice', detail: { messageId: 'eum-1', messageStatus: status, isFinal, eventTimestamp: at, context: { sealtextRef: ref } } })!;
    // Accepted (non-final PENDING) moves queued on to sent; then delivered; a late PENDING changes nothing.
    expect(await applyReceipts({ receipts }, [eum('PENDING', false)])).toMatchObject({ applied: 1 });
    expect((await w.ctx.store.get(issued.verificationId))?.receipt).toEqual({ status: 'sent', at });
    expect(await applyReceipts({ receipts }, [eum('DELIVERED', true)])).toMatchObject({ applied: 1 });
    expect(await applyReceipts({ receipts }, [{ ...eum('PENDING', false), at: at + 1 }])).toMatchObject({ applied: 0, superseded: 1 });
    expect((await w.ctx.store.get(issued.verificationId))?.receipt).toEqual({ status: 'delivered', at });
    // A resend carries a new reference: the first SMS's receipts no longer apply.
    w.ctx.clock.now += 31_000;
    await resendOtp(deps, 'app-a', issued.verificationId);
    expect(sent[1]!.ref).toBe(`otp:${issued.verificationId}:2`);
    expect(await applyReceipts({ receipts }, [{ ...eum('CARRIER_UNREACHABLE', true), at: at + 2 }])).toMatchObject({ applied: 0, superseded: 1 });
    expect(await applyReceipts({ receipts }, [{ ...eum('CARRIER_UNREACHABLE', true, sent[1]!.ref), at: at + 3 }])).toMatchObject({ applied: 1 });
    expect((await w.ctx.store.get(issued.verificationId))?.receipt).toMatchObject({ status: 'failed', errorCode: 'carrier_unreachable' });
    // A reference to nothing of ours is unmatched, like an unknown id.
    expect(await applyReceipts({ receipts }, [eum('DELIVERED', true, 'otp:nope:1')], at + RECEIPT_RACE_WINDOW_MS)).toMatchObject({ unmatched: 1 });
  });

  it('a receipt finds its record by the provider id; a superseded or repeated one changes nothing', async () => {
    const w = await world();
    const to = randomUkMobile();
    const issued = await issue(w, 'app-a', to);
    const receipts = new DynamoReceiptStore(w.ctx.doc, w.tables.Data, w.ctx.trail.items);
    // RecordingSms numbers its SMS 1, 2, ...: the first is this verification's.
    await new Promise((r) => setTimeout(r, 1_000)); // the sparse index is eventually consistent
    const at = Date.now();
    expect(await applyReceipts({ receipts }, [{ smsId: '1', status: 'failed', at, errorCode: 'unreachable' }])).toEqual({ applied: 1, unmatched: 0, superseded: 0, early: 0, undelivered: 1 });
    expect(await applyReceipts({ receipts }, [{ smsId: '1', status: 'failed', at, errorCode: 'unreachable' }])).toEqual({ applied: 0, unmatched: 0, superseded: 1, early: 0, undelivered: 0 });
    // Unknown: retried while young (it may have overtaken the write of its id), then dropped.
    expect(await applyReceipts({ receipts }, [{ smsId: 'other-system', status: 'delivered', at }])).toEqual({ applied: 0, unmatched: 1, superseded: 0, early: 1, undelivered: 0 });
    expect(await applyReceipts({ receipts }, [{ smsId: 'other-system', status: 'delivered', at }], at + RECEIPT_RACE_WINDOW_MS)).toEqual({ applied: 0, unmatched: 1, superseded: 0, early: 0, undelivered: 0 });
    const v = await w.ctx.store.get(issued.verificationId);
    expect(v?.receipt).toEqual({ status: 'failed', at, errorCode: 'unreachable' });

    const bus: FeedEntry['event'][] = [];
    await w.publish([], bus);
    expect(bus.filter((e) => e.type.startsWith('delivery.'))).toEqual([expect.objectContaining({ type: 'delivery.failed', data: expect.objectContaining({ verificationId: issued.verificationId, errorCode: 'unreachable' }) })]);
  });

  it('announces each expiry once, within the sweep after it, and never an approved one', async () => {
    const w = await world();
    const open = await issue(w, 'app-a');
    const done = await issue(w, 'app-a');
    await verifyOtp(w.ctx.deps, 'app-a', done.verificationId, { code: w.ctx.sms.lastCode(w.ctx.sms.sent[1]!.to) });
    const expiries = new DynamoExpiryStore(w.ctx.doc, w.tables.Data, w.ctx.trail.items);
    await new Promise((r) => setTimeout(r, 1_000));

    const expiresAt = Date.parse(open.expiresAt);
    expect(await sweepExpiries({ expiries, now: () => expiresAt - 1_000 })).toMatchObject({ expired: 0 });
    expect(await sweepExpiries({ expiries, now: () => expiresAt + 61_000 })).toMatchObject({ expired: 1 });
    expect(await sweepExpiries({ expiries, now: () => expiresAt + 121_000 })).toMatchObject({ expired: 0 });

    const bus: FeedEntry['event'][] = [];
    await w.publish([], bus);
    expect(bus.filter((e) => e.type === 'verification.expired').map((e) => e.data.verificationId)).toEqual([open.verificationId]);
  });
});

describe('webhook deliveries', () => {
  it('retries a failing endpoint with the same webhook-id until it answers 2xx, each attempt signed afresh', async () => {
    const w = await world();
    const seen: { headers: Record<string, string>; body: string }[] = [];
    const statuses = [503, 500];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])), body });
        res.writeHead(statuses.shift() ?? 200).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    try {
      const saved = await putWebhook({ webhooks: w.webhooks, envelope: w.ctx.deps.envelope, urlPolicy: { allowLoopback: true }, now: Date.now }, { clientId: 'app-a', scopes: new Set() }, { url, types: ['verification.*'] });
      await issue(w, 'app-a');
      await issue(w, 'app-b');
      const jobs: WebhookJob[] = [];
      await w.publish(jobs);
      expect(jobs.map((j) => j.clientId)).toEqual(['app-a']);

      // The queue as the local stack runs it, the deliverer as the Lambda handler runs it, a short schedule.
      const queue = new LocalWebhookQueue();
      const deps = { webhookOf: (c: string) => w.webhooks.get(c), envelope: w.ctx.deps.envelope, poster: new HttpWebhookPoster({ allowLoopback: true }), now: Date.now, retryScale: 0.01, retry: queue };
      queue.setConsumer((event: SQSEvent) => deliverBatch(deps, event.Records.map(queuedDelivery)));
      await queue.enqueue(jobs);
      const deadline = Date.now() + 20_000;
      while (seen.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      queue.stop();

      expect(seen).toHaveLength(3);
      expect(new Set(seen.map((s) => s.headers['webhook-id'])).size).toBe(1);
      expect(seen.map((s) => s.body)).toEqual([seen[0]!.body, seen[0]!.body, seen[0]!.body]);
      for (const s of seen) expect(verify(saved.secret!, s.headers, s.body, Math.floor(Date.now() / 1000))).toBe(true);
      expect(queue.dead).toEqual([]);
    } finally {
      server.close();
    }
  }, 30_000);

  it('two concurrent first saves hand out one secret that works', async () => {
    const w = await world();
    const deps = { webhooks: w.webhooks, envelope: w.ctx.deps.envelope, urlPolicy: { allowLoopback: false }, now: Date.now };
    const saves = await Promise.all([0, 1, 2].map(() => putWebhook(deps, { clientId: 'app-a', scopes: new Set() }, { url: 'https://hooks.example.com/x', types: ['*'] })));
    expect(saves.filter((s) => s.secret)).toHaveLength(1);
    const stored = await w.webhooks.get('app-a');
    const secret = saves.find((s) => s.secret)!.secret!;
    expect(await w.ctx.deps.envelope.open(stored!.sealedSecret, { app: 'sealtext', purpose: 'webhook-secret', record: 'app-a' })).toBe(secret);
  });
});
