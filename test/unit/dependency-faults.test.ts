import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { ProvisionedThroughputExceededException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { KMSInternalException } from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { isTransientDependencyError } from '#shared/errors';
import { api, ok, type ApiEvent } from '#shared/http/api';
import { SCOPES } from '#shared/http/scopes';
import { issueOtp } from '#shared/otp/issue';
import { IssueOtpRequest } from '#shared/otp/schemas';
import { fakeOtpDeps } from '../support/fake-otp-deps.ts';

/**
 * A dependency that throttles, times out or fails after the SDK's retries is answered
 * `503 service_unavailable` with Retry-After, never 500 and never its own message; a bug is still 500.
 */
const context = { functionName: 'test', awsRequestId: 'r', getRemainingTimeInMillis: () => 1000 } as unknown as Context;
const event = { body: '{}', headers: { 'Content-Type': 'application/json' }, requestContext: { authorizer: { claims: { client_id: 'app-a', scope: SCOPES.otpSend } } } } as unknown as APIGatewayProxyEvent;
const failingWith = (error: unknown) => api({ scope: SCOPES.otpSend }).handler(async () => {
  throw error;
  return ok({});
});
const meta = { $metadata: { httpStatusCode: 400 } };

describe('dependency faults', () => {
  const transient: [string, unknown][] = [
    ['DynamoDB throttling', new ProvisionedThroughputExceededException({ message: 'Rate of requests exceeds +447400123456', ...meta })],
    ['KMS internal error', new KMSInternalException({ message: 'internal', $metadata: { httpStatusCode: 500 } })],
    ['a 500 from any service', Object.assign(new Error('boom'), { name: 'InternalServerError', $fault: 'server', $metadata: { httpStatusCode: 500 } })],
    ['DynamoDB Local stopped', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), { code: 'ECONNREFUSED' })],
    ['a socket timeout', Object.assign(new Error('timeout'), { name: 'TimeoutError' })],
    ['wrapped', new Error('outer', { cause: Object.assign(new Error('inner'), { code: 'ECONNRESET' }) })],
  ];
  for (const [name, error] of transient) {
    it(`answers ${name} with 503 + Retry-After, naming nothing of the error`, async () => {
      expect(isTransientDependencyError(error)).toBe(true);
      const res = await failingWith(error)(event as ApiEvent, context);
      expect(res.statusCode).toBe(503);
      expect(res.headers?.['Retry-After']).toBe('2');
      expect(res.headers?.['Content-Type']).toBe('application/problem+json');
      expect(JSON.parse(res.body)).toEqual({ type: 'about:blank', title: expect.any(String), status: 503, code: 'service_unavailable', retryAfter: 2 });
      expect(res.body).not.toMatch(/447400123456|ECONNREFUSED|boom|inner/);
    });
  }

  it('keeps a bug a bug: an ordinary error or a cancelled transaction nobody handled is 500', async () => {
    for (const error of [new TypeError('x is undefined'), new TransactionCanceledException({ message: 'cancelled', ...meta, CancellationReasons: [{ Code: 'ConditionalCheckFailed' }] })]) {
      expect(isTransientDependencyError(error)).toBe(false);
      expect((await failingWith(error)(event as ApiEvent, context)).statusCode).toBe(500);
    }
  });

  it('an issue whose transaction fails sends nothing; one whose SMS fails ends failed, with its event', async () => {
    const { deps, store, sms, audit } = fakeOtpDeps();
    store.create = async () => {
      throw new ProvisionedThroughputExceededException({ message: 'throttled', ...meta });
    };
    await expect(issueOtp(deps, 'app-a', IssueOtpRequest.parse({ to: '+447400123456' }))).rejects.toBeInstanceOf(ProvisionedThroughputExceededException);
    expect(sms.sent).toEqual([]);
    expect(audit.events).toEqual([]);

    const healthy = fakeOtpDeps();
    healthy.sms.failWith = Object.assign(new Error('Rate exceeded'), { name: 'ThrottledException' });
    await expect(issueOtp(healthy.deps, 'app-a', IssueOtpRequest.parse({ to: '+447400123456' }))).rejects.toMatchObject({ status: 502, code: 'delivery_failed' });
    expect([...healthy.store.items.values()].map((v) => v.status)).toEqual(['failed']);
    expect(healthy.audit.events.map((e) => `${e.action}:${e.outcome}`)).toEqual(['otp.issue:pending', 'otp.failed:delivery_failed']);
  });
});

describe('KMS failing', () => {
  it('an issue whose envelope cannot get a data key writes nothing and texts nothing (never plaintext)', async () => {
    const { deps, store, sms, audit } = fakeOtpDeps();
    deps.envelope = { seal: async () => { throw new KMSInternalException({ message: 'kms down', $metadata: { httpStatusCode: 500 } }); } } as unknown as typeof deps.envelope;
    await expect(issueOtp(deps, 'app-a', IssueOtpRequest.parse({ to: '+447400123456' }))).rejects.toBeInstanceOf(KMSInternalException);
    expect(store.items.size).toBe(0);
    expect(sms.sent).toEqual([]);
    expect(audit.events).toEqual([]);
  });
});
