import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { InvalidCode, NotFound, RateLimited } from '#shared/errors';
import { api, ok, type ApiEvent } from '#shared/http/api';
import { toProblem } from '#shared/http/problem';
import { SCOPES } from '#shared/http/scopes';
import { parseWith } from '#shared/http/validate';

const Body = z.strictObject({ name: z.string() });
const handler = api({ scope: SCOPES.otpSend }).handler(async (event) => ok({ hello: parseWith(Body, event.json).name, client: event.caller.clientId }));

const context = { functionName: 'test', awsRequestId: 'r', getRemainingTimeInMillis: () => 1000 } as unknown as Context;
function event(over: Partial<APIGatewayProxyEvent> & { scope?: string } = {}): APIGatewayProxyEvent {
  const { scope = SCOPES.otpSend, ...rest } = over;
  return {
    body: JSON.stringify({ name: 'x' }),
    headers: { 'Content-Type': 'application/json' },
    requestContext: { authorizer: { claims: { client_id: 'app-a', scope } } },
    ...rest,
  } as unknown as APIGatewayProxyEvent;
}
const call = async (e: APIGatewayProxyEvent) => {
  const res = await handler(e as ApiEvent, context);
  return { ...res, json: JSON.parse(res.body) as Record<string, unknown> };
};

describe('api middleware', () => {
  it('passes a valid request through with security headers and no-store', async () => {
    const res = await call(event());
    expect(res.statusCode).toBe(200);
    expect(res.json).toEqual({ hello: 'x', client: 'app-a' });
    expect(res.headers).toMatchObject({ 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', 'Strict-Transport-Security': expect.any(String) });
  });

  it('answers 401 without client_id claims and 403 without the scope', async () => {
    expect((await call(event({ requestContext: {} as never }))).statusCode).toBe(401);
    const forbidden = await call(event({ scope: 'p2a/otp.verify' }));
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json).toMatchObject({ code: 'insufficient_scope' });
  });

  it('answers 413 over 16 KiB, 415 for non-JSON, 400 for malformed JSON and unknown fields', async () => {
    expect((await call(event({ body: JSON.stringify({ name: 'x'.repeat(17_000) }) }))).statusCode).toBe(413);
    expect((await call(event({ headers: { 'content-type': 'text/plain' } }))).statusCode).toBe(415);
    expect((await call(event({ body: '{"name":' }))).json).toMatchObject({ status: 400, code: 'malformed_json' });
    const unknown = await call(event({ body: JSON.stringify({ name: 'x', admin: true }) }));
    expect(unknown.json).toMatchObject({ status: 400, code: 'validation_failed' });
    expect(unknown.headers?.['Content-Type']).toBe('application/problem+json');
    expect(unknown.headers?.['Cache-Control']).toBe('no-store');
  });
});

describe('toProblem', () => {
  it('maps domain errors to RFC 9457 documents with a stable code', () => {
    const p = toProblem(new InvalidCode(3));
    expect(p.statusCode).toBe(422);
    expect(JSON.parse(p.body)).toEqual({ type: 'about:blank', status: 422, title: 'The code is not correct', code: 'invalid_code', remainingAttempts: 3 });
    expect(JSON.parse(toProblem(new NotFound()).body)).toMatchObject({ status: 404, code: 'not_found' });
  });

  it('sets Retry-After on 429', () => {
    const p = toProblem(new RateLimited(12.2, 'phoneShort'));
    expect(p.headers).toMatchObject({ 'Retry-After': '13' });
    expect(JSON.parse(p.body)).toMatchObject({ code: 'rate_limited', retryAfter: 13 });
  });

  it('never shows an unknown error message or stack', () => {
    const p = toProblem(new Error('ValidationException: value +447400123456 at stack...'));
    expect(p.statusCode).toBe(500);
    expect(p.body).not.toContain('447400123456');
    expect(JSON.parse(p.body)).toEqual({ type: 'about:blank', status: 500, title: 'Internal error', code: 'internal_error' });
  });
});
