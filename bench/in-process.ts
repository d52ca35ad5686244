import { randomUkMobile } from '../test/support/phones.ts';
import { randomBytes } from 'node:crypto';
import { appendFileSync, readFileSync } from 'node:fs';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { GetItemCommand, PutItemCommand, TransactWriteItemsCommand, UpdateItemCommand, type DynamoDBClient, type TransactWriteItemsCommandInput, type UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
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
/**
 * An endpoint and its baseline, call for call in turn (after 50 untimed rounds, i = -50 .. -1), so
 * both see the same machine, the same DynamoDB Local and the same moment.
 */
async function pair(n: number, endpoint: (i: number) => Promise<unknown>, baseline: (i: number) => Promise<unknown>): Promise<[Percentiles, Percentiles]> {
  const a: number[] = [];
  const b: number[] = [];
  for (let i = -50; i < n; i++) {
    let t = performance.now();
    await endpoint(i);
    if (i >= 0) a.push(performance.now() - t);
    t = performance.now();
    await baseline(i);
    if (i >= 0) b.push(performance.now() - t);
  }
  return [stats(a), stats(b)];
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

/** Records the TransactWriteItems and UpdateItem inputs a client sends (marshalled, as on the wire). */
function captureTransactions(raw: DynamoDBClient) {
  const seen: TransactWriteItemsCommandInput[] = [];
  const updates: UpdateItemCommandInput[] = [];
  raw.middlewareStack.add(
    ((next: (a: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: { input: TransactWriteItemsCommandInput }) => {
      if (context.commandName === 'TransactWriteItemsCommand') seen.push(structuredClone(args.input));
      if (context.commandName === 'UpdateItemCommand') updates.push(structuredClone(args.input as unknown as UpdateItemCommandInput));
      return next(args);
    }) as never,
    { step: 'build', name: 'benchCapture' },
  );
  return { last: () => seen.at(-1)!, lastUpdate: () => updates.at(-1), stop: () => raw.middlewareStack.remove('benchCapture') };
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
  // Each verification to a number of its own: the right code is looked up by number in the outbox.
  const used = new Set<string>();
  const unusedMobile = () => {
    for (;;) {
      const to = mobile();
      if (!used.has(to)) return used.add(to), to;
    }
  };
  const issueOne = async () => {
    const to = unusedMobile();
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

  // DynamoDB Local's JVM compiles its hot paths as it goes: whatever is timed first looks slower.
  // Warm it up, then time each endpoint call interleaved with the bare calls it is compared to.
  for (let k = 0; k < 300; k += 25) await Promise.all(Array.from({ length: 25 }, () => issueOne()));

  // Capture the endpoints' own transactions, as the SDK sends them.
  const raw = opts.raw;
  const capture = captureTransactions(raw);
  const sample = await issueOne();
  const issueTx = capture.last();
  // After the SMS: the UpdateItem that records its provider id (delivery/sent.ts).
  const sentUpdate = capture.lastUpdate();
  if (!sentUpdate) throw new Error('the issue recorded no provider id');
  // The verification as the right code finds it (pending, with its code hash), before it is approved.
  const written = issueTx.TransactItems!.find((t) => t.Put?.Item?.pk?.S?.startsWith('OTP#'))!.Put!;
  const original = await raw.send(new GetItemCommand({ TableName: written.TableName, Key: { pk: written.Item!.pk!, sk: written.Item!.sk! }, ConsistentRead: true }));
  await verify(event('POST', `/v1/otp/${sample.id}/verify`, { code: codes().get(sample.to) }, { id: sample.id }, 'p2a/otp.verify'), ctx);
  const verifyTx = capture.last();
  capture.stop();
  const verification = verifyTx.TransactItems![0]!.Update!;

  // What the timed runs use: pending verifications (right and wrong), copies for the bare replays.
  const n = opts.n;
  const issueBatch = async (count: number) => {
    const out: { to: string; id: string }[] = [];
    for (let k = 0; k < count; k += 25) out.push(...(await Promise.all(Array.from({ length: Math.min(25, count - k) }, () => issueOne()))));
    return out;
  };
  const forRight = await issueBatch(n + 50);
  const forWrong = await issueBatch(n + 50);
  const forGet = forWrong.slice(0, 50);
  const known = codes();
  const copies: string[] = [];
  for (let i = 0; i < 2 * (n + 50); i++) {
    const pk = `OTP#benchcopy-${i}-${randomBytes(4).toString('hex')}`;
    copies.push(pk);
    await raw.send(new PutItemCommand({ TableName: verification.TableName, Item: { ...original.Item!, pk: { S: pk }, status: { S: 'pending' } } }));
  }
  const { doc, tables } = opts;
  const bareItem = (i: number) => ({ pk: `BENCH#${i}`, sk: 'B' });
  for (let i = 0; i < n + 50; i++) {
    await doc.send(new PutCommand({ TableName: tables.Data, Item: { ...bareItem(i), subjectKey: `SUBJECT#bench${i}`, status: 'pending', attempts: 0, blob: 'x'.repeat(700) } }));
  }
  const fresh = (k: string) => `${k}#${randomBytes(4).toString('hex')}`;
  // Per-number windows, the record, its event and the range window are new each time (a new
  // number); the shared windows (client, country, prefix) are the same items the endpoint updates.
  const bareIssue = async () => {
    const keys = new Map<string, string>();
    const newKey = (k: string) => (/^(OTP#|E#|RL#phone|RANGE#)/.test(k) ? (keys.get(k) ?? keys.set(k, fresh(k)).get(k)!) : k);
    await raw.send(new TransactWriteItemsCommand(rekey(issueTx, newKey)));
    await raw.send(new UpdateItemCommand({ ...sentUpdate, Key: { ...sentUpdate.Key, pk: { S: newKey(sentUpdate.Key!.pk!.S!) } } }));
  };
  let copy = 0;
  const bareVerify = () => raw.send(new TransactWriteItemsCommand(rekey(verifyTx, (k) => (k.startsWith('OTP#') ? copies[copy++]! : fresh(k)))));
  const bareUpdateCall = (i: number) => doc.send(new UpdateCommand({
    TableName: tables.Data, Key: bareItem(i), UpdateExpression: 'SET #s = :a, #at = :now',
    ConditionExpression: '#s = :p AND #n < :max', ExpressionAttributeNames: { '#s': 'status', '#at': 'approvedAt', '#n': 'attempts' },
    ExpressionAttributeValues: { ':a': 'approved', ':p': 'pending', ':now': Date.now(), ':max': 5 },
  }));

  const [issueP, bareIssueTx] = await pair(n,
    () => issueOne(),
    async () => {
      await bareIssue();
      appendFileSync(opts.scratchFile, `${JSON.stringify({ to: '+447400000000', text: 'x'.repeat(120), at: new Date().toISOString() })}\n`);
    });
  const [rightP, bareVerifyTx] = await pair(n,
    async (i) => {
      const v = forRight[i + 50]!;
      const r = await verify(event('POST', `/v1/otp/${v.id}/verify`, { code: known.get(v.to) }, { id: v.id }, 'p2a/otp.verify'), ctx);
      if (r.statusCode !== 200) throw new Error(`verify answered ${r.statusCode}`);
    },
    () => bareVerify());
  const [wrongP, bareUpdate] = await pair(n,
    async (i) => {
      const v = forWrong[i + 50]!;
      const code = known.get(v.to) === '000000' ? '111111' : '000000';
      const r = await verify(event('POST', `/v1/otp/${v.id}/verify`, { code }, { id: v.id }, 'p2a/otp.verify'), ctx);
      if (r.statusCode !== 422) throw new Error(`wrong verify answered ${r.statusCode}`);
    },
    (i) => bareUpdateCall(i + 50));
  const [getP] = await pair(n,
    async (i) => {
      const v = forGet[Math.abs(i) % forGet.length]!;
      const r = await get(event('GET', `/v1/otp/${v.id}`, undefined, { id: v.id }, 'p2a/otp.verify'), ctx);
      if (r.statusCode !== 200) throw new Error(`get answered ${r.statusCode}`);
    },
    async () => undefined);
  return { issue: issueP, right: rightP, wrong: wrongP, get: getP, bareUpdate, bareVerifyTx, bareIssueTx };
}

/**
 * DynamoDB calls of one issue on an End User Messaging stage: the SMS carries its record's reference
 * in the message's Context (adapters/sms/eum.ts), so no provider id is recorded after the send. The
 * real domain and store on DynamoDB Local, with a sender that echoes references as EUM does.
 */
export async function eumIssueCalls(raw: DynamoDBClient, n = 20): Promise<number> {
  const [{ issueOtp }, { IssueOtpRequest }, { otpDeps }] = await Promise.all([
    import('../shared/otp/issue.ts'), import('../shared/otp/schemas.ts'), import('../shared/wiring/runtime.ts'),
  ]);
  const deps = { ...(await otpDeps()), sms: { echoesRef: true, send: () => Promise.resolve({ messageId: 'eum' }) } };
  await issueOtp(deps, 'bench-client', IssueOtpRequest.parse({ to: mobile() })); // warm
  let calls = 0;
  raw.middlewareStack.add((next) => (args) => (calls++, next(args)), { step: 'initialize', name: 'benchEumCalls' });
  try {
    for (let i = 0; i < n; i++) await issueOtp(deps, 'bench-client', IssueOtpRequest.parse({ to: mobile() }));
  } finally {
    raw.middlewareStack.remove('benchEumCalls');
  }
  return calls / n;
}
