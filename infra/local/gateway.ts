import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context, SNSEvent } from 'aws-lambda';
import { SimulatedInbound } from '#shared/inbound/schemas';
import { problemResponse } from '#shared/http/problem';
import { decodePathSegment } from '#shared/http/path';
import { readOutbox } from '#shared/adapters/sms/outbox';
import { ROUTES, type Route } from '../routes.ts';
import { brakeRoute, metricsRoute } from './fraud-routes.ts';
import { parseLocalBody } from './local-json.ts';
import type { LocalOAuth } from './oauth.ts';

/**
 * The local API Gateway: turns each HTTP request into the REST proxy event AWS would send
 * (with the authorizer's claims), invokes the route's handler in-process, and writes its answer.
 * Local-only routes (`/oauth2/token`, `/_local/*`) exist only here.
 */
export type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
const MAX_REQUEST_BYTES = 10 * 1024 * 1024; // API Gateway's own payload limit

type Compiled = Route & { pattern: RegExp; params: string[] };
const compiled: Compiled[] = ROUTES.map((r) => {
  const params: string[] = [];
  const pattern = new RegExp(
    `^${r.path.replace(/\{(\w+)\}/g, (_m, name: string) => (params.push(name), '([^/]+)'))}$`,
  );
  return { ...r, pattern, params };
});

export type GatewayOptions = {
  oauth: LocalOAuth;
  outboxFile: string;
  metricsFile: string;
  handlers: Record<string, Handler>;
  /** Runs the audit sealer now (`POST /_local/audit/seal`), instead of waiting for its minute. */
  seal: () => Promise<unknown>;
  /** AWS SDK requests the handlers made, by service and command (`GET /_local/aws-calls`). */
  awsCalls: Map<string, number>;
  /** More local-only routes, by `METHOD /path` (delivery receipts, the expiry sweep, dead webhook jobs). */
  localRoutes?: Record<string, (body: string) => Promise<APIGatewayProxyResult>>;
};

export function createGateway(options: GatewayOptions): Server {
  const server = createServer((req, res) => {
    handle(options, req, res).catch((error: unknown) => {
      process.stderr.write(`local gateway error: ${(error as Error).name}\n`);
      send(res, problemResponse(500, { title: 'Internal error', code: 'internal_error' }));
    });
  });
  // Keep idle connections open longer than clients do (fetch keeps them 4 s), so the server never
  // closes a socket just as a client reuses it.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  return server;
}

async function handle(options: GatewayOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  // The request target is a path: `//x` must not be read as a protocol-relative URL (a host named x).
  const url = new URL(`http://local${(req.url ?? '/').startsWith('/') ? req.url ?? '/' : `/${req.url}`}`);
  const body = await readBody(req);
  if (body === undefined) return send(res, problemResponse(413, { title: 'The request body is too large', code: 'payload_too_large' }));

  if (url.pathname === '/oauth2/token' && req.method === 'POST') {
    const [status, answer] = options.oauth.token(req.headers.authorization, new URLSearchParams(body));
    return send(res, {
      statusCode: status,
      headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...(status === 401 ? { 'WWW-Authenticate': 'Basic realm="sealtext-local"' } : {}) },
      body: JSON.stringify(answer),
    });
  }
  if (url.pathname === '/_local/outbox' && req.method === 'GET') {
    const to = url.searchParams.get('to') ?? undefined;
    // API 1.2: each message names its channel (an SMS entry has none stored); an e-mail has its subject, HTML part and extra headers too.
    const messages = readOutbox(options.outboxFile, to).map(({ to, text, at, channel, subject, html, headers }) => ({ channel: channel ?? 'sms', to, text, at, ...(subject ? { subject } : {}), ...(html ? { html } : {}), ...(headers ? { headers } : {}) }));
    return send(res, { statusCode: 200, headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }, body: JSON.stringify({ messages }) });
  }

  if (url.pathname === '/_local/inbound' && req.method === 'POST') return send(res, await simulateInbound(options, body));
  if (url.pathname === '/_local/metrics' && req.method === 'GET') return send(res, metricsRoute(options.metricsFile, url));
  if (url.pathname === '/_local/brake' && req.method === 'POST') return send(res, await brakeRoute(options.metricsFile, body));
  if (url.pathname === '/_local/aws-calls' && req.method === 'GET') {
    return send(res, { statusCode: 200, headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }, body: JSON.stringify(Object.fromEntries(options.awsCalls)) });
  }
  if (url.pathname === '/_local/memory' && req.method === 'GET') {
    // Retained memory is what a leak shows up in: after a full collection when the stack runs with
    // --expose-gc (the load test starts it so), otherwise as it stands.
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    return send(res, { statusCode: 200, headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }, body: JSON.stringify({ collected: gc !== undefined, ...process.memoryUsage() }) });
  }
  if (url.pathname === '/_local/audit/seal' && req.method === 'POST') {
    const run = await options.seal();
    return send(res, { statusCode: 200, headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }, body: JSON.stringify(run) });
  }

  const local = options.localRoutes?.[`${req.method} ${url.pathname}`];
  if (local) return send(res, await local(body));

  const matches = compiled.filter((r) => r.pattern.test(url.pathname));
  const route = matches.find((r) => r.method === req.method);
  if (!route) {
    return send(res, matches.length
      ? problemResponse(405, { title: 'Method not allowed', code: 'method_not_allowed' }, { Allow: matches.map((m) => m.method).join(', ') })
      : problemResponse(404, { title: 'Not found', code: 'not_found' }));
  }
  // The Cognito authorizer: no valid token, no invocation (public routes have no authorizer).
  const claims = route.scope === 'public' ? undefined : options.oauth.verify(req.headers.authorization);
  if (route.scope !== 'public' && !claims) {
    return send(res, problemResponse(401, { title: 'A valid bearer token is required', code: 'unauthorized' }, { 'WWW-Authenticate': 'Bearer' }));
  }

  const values = route.pattern.exec(url.pathname)!.slice(1);
  const pathParameters = Object.fromEntries(route.params.map((p, i) => [p, decodePathSegment(values[i]!)]));
  const handler = options.handlers[route.fn];
  if (!handler) throw new Error(`No handler loaded for ${route.fn}`);
  const result = await handler(toEvent(req, url, route, pathParameters, body, claims), lambdaContext(route.fn));
  send(res, result);
}

/**
 * A text arriving from a phone, as AWS End User Messaging would publish it to the two-way topic:
 * `{ from, body }` becomes the SNS event the inbound function receives.
 */
async function simulateInbound(options: GatewayOptions, body: string): Promise<APIGatewayProxyResult> {
  const parsed = parseLocalBody(SimulatedInbound, body);
  if (!parsed) return problemResponse(400, { title: 'Send { "from": "+E164", "body": "...", "channel"?: "sms" | "whatsapp" }', code: 'validation_failed' });
  const handler = options.handlers['inbound-sms'] as unknown as (e: SNSEvent, c: Context) => Promise<void>;
  const inboundMessageId = randomUUID();
  // WhatsApp as End User Messaging Social publishes it: Meta's webhook entry inside an AWS header.
  const whatsappEntry = { changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', messages: [{ from: parsed.from.replace(/^\+/, ''), id: `wamid.${inboundMessageId}`, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: parsed.body } }] } }] };
  const message = parsed.channel === 'whatsapp' ? { whatsAppWebhookEntry: JSON.stringify(whatsappEntry), aws_account_id: '000000000000', message_timestamp: new Date().toISOString(), messageId: randomUUID() } : {
    originationNumber: parsed.from,
    destinationNumber: parsed.to ?? '+15550100000',
    messageKeyword: 'KEYWORD_LOCAL',
    messageBody: parsed.body,
    inboundMessageId,
    previousPublishedMessageId: randomUUID(),
  };
  const event = {
    Records: [{
      EventSource: 'aws:sns', EventVersion: '1.0', EventSubscriptionArn: 'arn:aws:sns:local:000000000000:inbound-sms:local',
      Sns: {
        Type: 'Notification', MessageId: randomUUID(), TopicArn: 'arn:aws:sns:local:000000000000:inbound-sms', Subject: null,
        Message: JSON.stringify(message), Timestamp: new Date().toISOString(), SignatureVersion: '1', Signature: '', SigningCertUrl: '',
        UnsubscribeUrl: '', MessageAttributes: {},
      },
    }],
  } as unknown as SNSEvent;
  await handler(event, lambdaContext('inbound-sms'));
  return { statusCode: 202, headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }, body: JSON.stringify({ status: 'delivered', inboundMessageId: parsed.channel === 'whatsapp' ? `wamid.${inboundMessageId}` : inboundMessageId }) };
}

function toEvent(
  req: IncomingMessage, url: URL, route: Route, pathParameters: Record<string, string>, body: string, claims: Record<string, string> | undefined,
): APIGatewayProxyEvent {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const [name, value] = [req.rawHeaders[i]!, req.rawHeaders[i + 1]!];
    headers[name] = value;
    (multiValueHeaders[name] ??= []).push(value);
  }
  const query = [...url.searchParams.keys()];
  const now = new Date();
  return {
    resource: route.path,
    path: url.pathname,
    httpMethod: route.method,
    headers,
    multiValueHeaders,
    queryStringParameters: query.length ? Object.fromEntries(url.searchParams) : null,
    multiValueQueryStringParameters: query.length ? Object.fromEntries(query.map((k) => [k, url.searchParams.getAll(k)])) : null,
    pathParameters: Object.keys(pathParameters).length ? pathParameters : null,
    stageVariables: null,
    body: body === '' ? null : body,
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      authorizer: claims ? { claims } : null,
      protocol: `HTTP/${req.httpVersion}`,
      httpMethod: route.method,
      identity: { sourceIp: sourceIp(req), userAgent: req.headers['user-agent'] ?? null } as APIGatewayProxyEvent['requestContext']['identity'],
      path: `/local${url.pathname}`,
      stage: 'local',
      requestId: randomUUID(),
      requestTime: now.toUTCString(),
      requestTimeEpoch: now.getTime(),
      resourceId: route.fn,
      resourcePath: route.path,
    },
  };
}

/**
 * The caller's IP as API Gateway reports it. Locally every caller is 127.0.0.1, so the first
 * `X-Forwarded-For` address stands in for distinct callers (the traffic simulator uses it).
 */
function sourceIp(req: IncomingMessage): string {
  const forwarded = String(req.headers['x-forwarded-for'] ?? '').split(',')[0]?.trim();
  return forwarded || req.socket.remoteAddress || '127.0.0.1';
}

export function lambdaContext(fn: string): Context {
  const deadline = Date.now() + 29_000; // API Gateway's integration timeout
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: `sealtext-local-${fn}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:sealtext-local-${fn}`,
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/sealtext-local-${fn}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, result: APIGatewayProxyResult): void {
  res.writeHead(result.statusCode, result.headers as Record<string, string>);
  res.end(result.body);
}
