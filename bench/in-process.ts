import { randomUkMobile } from '../test/support/phones.ts';
import { randomBytes } from 'node:crypto';
import { appendFileSync, readFileSync } from 'node:fs';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { GetItemCommand, PutItemCommand, TransactWriteItemsCommand, type DynamoDBClient, type TransactWriteItemsCommandInput } from '@aws-sdk/client-dynamodb';
import { PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { lambdaContext } from '../infra/local/gateway.ts';

/**
 * Warm, in-process latency per endpoint: the real handlers (middy, validation, domain, adapters)
 * invoked as Lambda would, against DynamoDB Local, each beside the bare DynamoDB calls the
 * endpoint cannot avoid, timed in the same run on the same client.
 */
type Handler = (e: APIGatewayProxyEvent, c: Context) => Promise<APIGatewayProxyResult>;
export type Percentiles = { p50: number; p95: number; p99: number; n: number };

const mobile = randomUkMobile;
const stats = (ms: number[]): Percentiles => {
  const s = [...ms].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.floor(s.length * p))]!;
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), n: s.length };
};
async function timed(n: number, f: (i: number) => Promise<unknown>): Promise<Percentiles> {
  for (let i = 0; i < Math.min(50, n); i++) await f(-1 - i); // warm-up, untimed
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await f(i);
    ms.push(performance.now() - t);
  }
  return stats(ms);
}

function event(method: string, path: string, body: unknown, pathParameters: Record<string, string> | null, scope: string): APIGatewayProxyEvent {
  return {
    resource: path, path, httpMethod: method, headers: { 'Content-Type': 'application/json' }, multiValueHeaders: {},
    queryStringParameters: null, multiValueQueryStringParameters: null, pathParameters, stageVariables: null,
    body: body === undefined ? null : JSON.stringify(body), isBase64Encoded: false,
    requestContext: {
      authorizer: { claims: { client_id: 'bench-client', scope } }, httpMethod: method, path, stage: 'bench', requestId: randomBytes(8).toString('hex'),
      identity: { sourceIp: '10.0.0.1' }, requestTimeEpoch: Date.now(),
    } as unknown as APIGatewayProxyEvent['requestContext'],
  };
}

/** Records the TransactWriteItems inputs a client sends (marshalled, as on the wire). */
function captureTransactions(raw: DynamoDBClient) {
  const seen: TransactWriteItemsCommandInput[] = [];
  raw.middlewareStack.add(
    ((next: (a: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: { input: TransactWriteItemsCommandInput }) => {
      if (context.commandName === 'TransactWriteItemsCommand') seen.push(structuredClone(args.input));
      return next(args);
    }) as never,
    { step: 'build', name: 'benchCapture' },
  );
  return { last: () => seen.at(-1)!, stop: () => raw.middlewareStack.remove('benchCapture') };
}

/**
 * The same transaction on other items: the written items' keys (the record, its counters, its audit
 * event) get new values; checks of shared items (consent, brake, windows) stay as they were.
 */
function rekey(tx: TransactWriteItemsCommandInput, newKey: (pk: string) => string): TransactWriteItemsCommandInput {
  const copy = structuredClone(tx);
  for (const item of copy.TransactItems ?? []) {
    if (item.Update?.Key?.pk?.S) item.Update.Key.pk = { S: newKey(item.Update.Key.pk.S) };
    if (item.Put?.Item?.pk?.S) item.Put.Item.pk = { S: newKey(item.Put.Item.pk.S) };
  }
  return copy;
}

export async function inProcessBench(opts: { n: number; doc: DynamoDBDocumentClient; raw: DynamoDBClient; tables: { Data: string; Audit: string }; outboxFile: string; scratchFile: string }) {
  const issue = (await import('../functions/issue-otp.ts')).handler as unknown as Handler;
  const verify = (await import('../functions/verify-otp.ts')).handler as unknown as Handler;
  const get = (await import('../functions/get-otp.ts')).handler as unknown as Handler;
  const ctx = lambdaContext('bench');
  const issueOne = async () => {
    const to = mobile();
    const r = await issue(event('POST', '/v1/otp', { to, signals: { ip: `198.51.100.${Math.floor(Math.random() * 250)}` } }, null, 'p2a/otp.send'), ctx);
    if (r.statusCode !== 201) throw new Error(`issue answered ${r.statusCode}: ${r.body}`);
    return { to, id: (JSON.parse(r.body) as { verificationId: string }).verificationId };
  };
  const codes = () => {
    const byTo = new Map<string, string>();
    for (const line of readFileSync(opts.outboxFile, 'utf8').split('\n').filter(Boolean)) {
      const e = JSON.parse(line) as { to: string; text: string };
      byTo.set(e.to, e.text.match(/\b(\d{6})\b/)![1]!);
    }
    return byTo;
  };

  // The endpoints.
  const issued: { to: string; id: string }[] = [];
  const issueP = await timed(opts.n, async (i) => {
    const v = await issueOne();
    if (i >= 0) issued.push(v);
  });
  // Untimed: the verifications the verify runs use (each warm-up gets 50 of its own).
  const pending: { to: string; id: string }[] = [];
  for (let k = 0; k < opts.n + 100; k += 25) pending.push(...(await Promise.all(Array.from({ length: 25 }, () => issueOne()))));
  const known = codes();
  const rightP = await timed(opts.n, async (i) => {
    const v = i >= 0 ? issued[i]! : pending[opts.n - 1 - i]!; // warm-up: pending[n .. n+49]
    const r = await verify(event('POST', `/v1/otp/${v.id}/verify`, { code: known.get(v.to) }, { id: v.id }, 'p2a/otp.verify'), ctx);
    if (r.statusCode !== 200) throw new Error(`verify answered ${r.statusCode}`);
  });
  const wrongP = await timed(opts.n, async (i) => {
    const v = pending[i >= 0 ? i : opts.n + 49 - i]!; // warm-up: pending[n+50 .. n+99]
    const code = known.get(v.to) === '000000' ? '111111' : '000000';
    const r = await verify(event('POST', `/v1/otp/${v.id}/verify`, { code }, { id: v.id }, 'p2a/otp.verify'), ctx);
    if (r.statusCode !== 422) throw new Error(`wrong verify answered ${r.statusCode}`);
  });
  const getP = await timed(opts.n, async (i) => {
    const v = issued[Math.max(0, i)]!;
    const r = await get(event('GET', `/v1/otp/${v.id}`, undefined, { id: v.id }, 'p2a/otp.verify'), ctx);
    if (r.statusCode !== 200) throw new Error(`get answered ${r.statusCode}`);
  });

  // The bare calls they cannot avoid: the endpoint's own TransactWriteItems, captured as the SDK
  // sent it and replayed on copies of the same items (new keys, so conditions hold), on the same
  // client, plus one plain conditional UpdateItem for reference.
  const raw = opts.raw;
  const bareUpdate = await (async () => {
    const { doc, tables } = opts;
    const item = (i: number) => ({ pk: `BENCH#${i}`, sk: 'B' });
    for (let i = -50; i < opts.n; i++) {
      await doc.send(new PutCommand({ TableName: tables.Data, Item: { ...item(i), subjectKey: `SUBJECT#bench${i}`, status: 'pending', attempts: 0, blob: 'x'.repeat(700) } }));
    }
    return timed(opts.n, (i) => doc.send(new UpdateCommand({
      TableName: tables.Data, Key: item(i), UpdateExpression: 'SET #s = :a, #at = :now',
      ConditionExpression: '#s = :p AND #n < :max', ExpressionAttributeNames: { '#s': 'status', '#at': 'approvedAt', '#n': 'attempts' },
      ExpressionAttributeValues: { ':a': 'approved', ':p': 'pending', ':now': Date.now(), ':max': 5 },
    })));
  })();

  const v = await issueOne();
  const capture = captureTransactions(raw);
  const code = codes().get(v.to)!;
  await verify(event('POST', `/v1/otp/${v.id}/verify`, { code: code === '000000' ? '111111' : '000000' }, { id: v.id }, 'p2a/otp.verify'), ctx);
  const fresh = await issueOne();
  const issueTx = capture.last();
  await verify(event('POST', `/v1/otp/${fresh.id}/verify`, { code: codes().get(fresh.to) }, { id: fresh.id }, 'p2a/otp.verify'), ctx);
  const verifyTx = capture.last();
  capture.stop();
  const original = await raw.send(new GetItemCommand({ TableName: verifyTx.TransactItems![0]!.Update!.TableName, Key: verifyTx.TransactItems![0]!.Update!.Key, ConsistentRead: true }));
  const copies = new Map<number, string>();
  for (let i = -50; i < opts.n; i++) {
    const pk = `OTP#benchcopy-${i}-${randomBytes(4).toString('hex')}`;
    copies.set(i, pk);
    await raw.send(new PutItemCommand({ TableName: verifyTx.TransactItems![0]!.Update!.TableName, Item: { ...original.Item!, pk: { S: pk }, status: { S: 'pending' } } }));
  }
  const bareVerifyTx = await timed(opts.n, (i) => raw.send(new TransactWriteItemsCommand(rekey(verifyTx, (k) => (k.startsWith('OTP#') ? copies.get(i)! : `${k}#${i}#${randomBytes(3).toString('hex')}`)))));
  const bareIssueTx = await timed(opts.n, async (i) => {
    // Per-number windows, the verification and the event are new each time, as for a new number;
    // the shared windows (client, country, prefix, end user) are the same items the endpoint updates.
    const perCall = (k: string) => /^(OTP#|E#|RL#phone)/.test(k);
    await raw.send(new TransactWriteItemsCommand(rekey(issueTx, (k) => (perCall(k) ? `${k}#${i}#${randomBytes(3).toString('hex')}` : k))));
    appendFileSync(opts.scratchFile, `${JSON.stringify({ to: '+447400000000', text: 'x'.repeat(120), at: new Date().toISOString() })}\n`);
  });
  return { issue: issueP, right: rightP, wrong: wrongP, get: getP, bareUpdate, bareVerifyTx, bareIssueTx };
}
