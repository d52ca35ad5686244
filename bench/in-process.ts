import { randomUkMobile } from '../test/support/phones.ts';
import { randomBytes } from 'node:crypto';
import { appendFileSync, readFileSync } from 'node:fs';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { TransactWriteCommand, UpdateCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
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

export async function inProcessBench(opts: { n: number; doc: DynamoDBDocumentClient; tables: { Data: string; Audit: string }; outboxFile: string; scratchFile: string }) {
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

  // The bare calls they cannot avoid, on the same client and tables.
  const { doc, tables } = opts;
  const bareItem = (i: number) => ({ pk: `BENCH#${i}`, sk: 'B' });
  for (let i = -50; i < opts.n; i++) await doc.send(new PutCommand({ TableName: tables.Data, Item: { ...bareItem(i), status: 'pending', attempts: 0 } }));
  // Shaped like a real event: it names a resource (and, for an issue, a subject), so the same index entries are written.
  const auditPut = (i: number, subject?: string) => ({
    Put: {
      TableName: tables.Audit,
      Item: { pk: `E#bench#${i % 16}`, sk: `${new Date().toISOString()}#${i}#${Math.random()}`, resource: `res-${i}-${Math.random()}`, ...(subject ? { subjectIndex: subject } : {}), outcome: 'x', hash: 'h'.repeat(64) },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  });
  const update = (i: number) => ({
    TableName: tables.Data, Key: bareItem(i), UpdateExpression: 'SET #s = :a, #at = :now',
    ConditionExpression: '#s = :p AND #n < :max', ExpressionAttributeNames: { '#s': 'status', '#at': 'approvedAt', '#n': 'attempts' },
    ExpressionAttributeValues: { ':a': 'approved', ':p': 'pending', ':now': Date.now(), ':max': 5 },
  });
  const bareUpdate = await timed(opts.n, (i) => doc.send(new UpdateCommand(update(i))));
  for (let i = -50; i < opts.n; i++) await doc.send(new PutCommand({ TableName: tables.Data, Item: { ...bareItem(i), status: 'pending', attempts: 0 } }));
  const bareVerifyTx = await timed(opts.n, (i) => doc.send(new TransactWriteCommand({ TransactItems: [{ Update: update(i) }, auditPut(i)] })));
  // An issue's transaction: 9 counters, consent and brake checks, the verification, the event; then the SMS line.
  const bareIssueTx = await timed(opts.n, async (i) => {
    const counter = (k: string) => ({
      Update: { TableName: tables.Data, Key: { pk: `RL#bench#${k}#${i}`, sk: 'RL' }, UpdateExpression: 'ADD #n :one', ConditionExpression: 'attribute_not_exists(#n) OR #n < :l', ExpressionAttributeNames: { '#n': 'n' }, ExpressionAttributeValues: { ':one': 1, ':l': 100 } },
    });
    const check = (k: string) => ({ ConditionCheck: { TableName: tables.Data, Key: { pk: `CHK#${k}`, sk: 'C' }, ConditionExpression: 'attribute_not_exists(#x) OR #x = :f', ExpressionAttributeNames: { '#x': 'x' }, ExpressionAttributeValues: { ':f': false } } });
    await doc.send(new TransactWriteCommand({
      TransactItems: [
        ...['phoneShort', 'phoneDaily', 'client', 'ip', 'prefix', 'country'].map(counter),
        ...['failedShort', 'failedDaily'].map((k) => check(`${k}${i}`)), check(`consent${i}`), check('brake'),
        { Put: { TableName: tables.Data, Item: { pk: `OTPB#${i}#${Math.random()}`, sk: 'OTP', subjectKey: `SUBJECT#s${i}`, blob: 'x'.repeat(600) }, ConditionExpression: 'attribute_not_exists(pk)' } },
        auditPut(i, `s${i}`),
      ],
    }));
    appendFileSync(opts.scratchFile, `${JSON.stringify({ to: '+447400000000', text: 'x'.repeat(120), at: new Date().toISOString() })}\n`);
  });
  return { issue: issueP, right: rightP, wrong: wrongP, get: getP, bareUpdate, bareVerifyTx, bareIssueTx };
}
