import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { issueOtp } from '#shared/otp/issue';
import { resendOtp } from '#shared/otp/manage';
import { IssueOtpRequest } from '#shared/otp/schemas';
import { verifyOtp } from '#shared/otp/verify';
import { randomUkMobile } from '../support/phones.ts';
import { dynamoOtpDeps } from './deps.ts';
import { INTEGRATION_TABLES } from './tables.ts';

async function issued(ctx: ReturnType<typeof dynamoOtpDeps>, body: Record<string, unknown> = {}) {
  const to = randomUkMobile();
  const { verificationId } = await issueOtp(ctx.deps, 'app-a', IssueOtpRequest.parse({ to, ...body }));
  return { to, id: verificationId, code: ctx.sms.lastCode(to) };
}

describe('DynamoDB conditions (DynamoDB Local)', () => {
  it('lets exactly one of 20 concurrent right answers win', async () => {
    // Prepare
    const ctx = dynamoOtpDeps();
    const { id, code } = await issued(ctx);
    // Act
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => verifyOtp(ctx.deps, 'app-a', id, { code })));
    // Assess
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const losers = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(losers.map((r) => r.reason.code)).toEqual(new Array(19).fill('already_approved'));
  });

  it('counts 20 concurrent wrong answers as exactly 5 attempts', async () => {
    const ctx = dynamoOtpDeps();
    const { id, code } = await issued(ctx);
    const wrong = code === '000000' ? '111111' : '000000';
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => verifyOtp(ctx.deps, 'app-a', id, { code: wrong })));
    const reasons = results.map((r) => (r.status === 'rejected' ? r.reason.code : 'ok'));
    expect(reasons.filter((c) => c === 'invalid_code')).toHaveLength(4);
    expect(reasons.filter((c) => c === 'max_attempts_reached')).toHaveLength(16);
    expect((await ctx.store.get(id))!.attempts).toBe(5);
    // The right code no longer helps.
    await expect(verifyOtp(ctx.deps, 'app-a', id, { code })).rejects.toMatchObject({ code: 'max_attempts_reached' });
  });

  it('treats an item past expiry as expired although TTL has not deleted it yet', async () => {
    const ctx = dynamoOtpDeps();
    const { id, code } = await issued(ctx);
    // Age the stored item as TTL would see it: expiry and ttl both in the past, item still present.
    const item = (await ctx.doc.send(new GetCommand({ TableName: INTEGRATION_TABLES.Data, Key: { pk: `OTP#${id}`, sk: 'OTP' } }))).Item!;
    const past = Date.now() - 3_600_000;
    await ctx.doc.send(new PutCommand({ TableName: INTEGRATION_TABLES.Data, Item: { ...item, expiresAt: past, ttl: Math.floor(past / 1000) } }));
    ctx.clock.now = Date.now();
    await expect(verifyOtp(ctx.deps, 'app-a', id, { code })).rejects.toMatchObject({ status: 410, code: 'expired' });
  });

  it('fills a rate-limit window in the same transaction as the write, refusing the sixth without writing it', async () => {
    const ctx = dynamoOtpDeps();
    ctx.clock.now = Date.parse('2026-11-22T10:00:00Z');
    const to = randomUkMobile();
    const issue = () => issueOtp(ctx.deps, 'app-a', IssueOtpRequest.parse({ to }));
    const results = await Promise.allSettled(Array.from({ length: 8 }, issue));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(refused.map((r) => r.reason.code)).toEqual(['rate_limited', 'rate_limited', 'rate_limited']);
    expect(refused[0]!.reason.headers['Retry-After']).toBe('600');
    expect(ctx.sms.sent.filter((s) => s.to === to)).toHaveLength(5);
    // The next window opens again.
    ctx.clock.now += 600_000;
    await expect(issue()).resolves.toMatchObject({ status: 'pending' });
  });

  it('lets one of several concurrent resends win; the old code stops working', async () => {
    const ctx = dynamoOtpDeps();
    const { id, to, code } = await issued(ctx);
    ctx.clock.now += 30_000;
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => resendOtp(ctx.deps, 'app-a', id)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect((await ctx.store.get(id))!.sends).toBe(2);
    const fresh = ctx.sms.lastCode(to);
    if (fresh !== code) await expect(verifyOtp(ctx.deps, 'app-a', id, { code })).rejects.toMatchObject({ code: 'invalid_code' });
    await expect(verifyOtp(ctx.deps, 'app-a', id, { code: fresh })).resolves.toMatchObject({ status: 'approved' });
  });
});

describe('expiry at the boundary, by the server clock (DynamoDB Local)', () => {
  it('a right code a second before expiry is approved; at and a second after, 410 expired', async () => {
    const ctx = dynamoOtpDeps();
    const outcomes: string[] = [];
    for (const offset of [-1000, 0, 1000]) {
      const start = ctx.clock.now;
      const { id, code } = await issued(ctx, { ttlSeconds: 60 });
      ctx.clock.now = start + 60_000 + offset;
      outcomes.push(await verifyOtp(ctx.deps, 'app-a', id, { code }).then((r) => r.status, (e: { code: string }) => e.code));
      ctx.clock.now = start + 120_000;
    }
    expect(outcomes).toEqual(['approved', 'expired', 'expired']);
  });
});
