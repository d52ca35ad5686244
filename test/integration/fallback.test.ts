import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { nextStep, type WorkflowState } from '#shared/channels/workflow';
import { codeHash } from '#shared/otp/code';
import { issueOtp } from '#shared/otp/issue';
import { resendOtp } from '#shared/otp/manage';
import { IssueOtpRequest } from '#shared/otp/schemas';
import { verifyOtp } from '#shared/otp/verify';
import { randomUkMobile } from '../support/phones.ts';
import { dynamoOtpDeps } from './deps.ts';
import { INTEGRATION_TABLES } from './tables.ts';

/**
 * Fallback's store half on DynamoDB Local (API 1.2; docs/channels.md): the step move is one
 * conditional write with its event, so a timeout and a failed receipt racing move it once; the
 * codes of every step sent stay valid together; approval ends the workflow; a resend replaces
 * every code. The request path does not start workflows yet: the test gives a verification its
 * steps as the issue will.
 */
async function workflow(ctx: ReturnType<typeof dynamoOtpDeps>, steps: string[]) {
  ctx.clock.now = Date.now();
  const to = randomUkMobile();
  const { verificationId: id } = await issueOtp(ctx.deps, 'app-a', IssueOtpRequest.parse({ to }));
  await ctx.doc.send(new UpdateCommand({
    TableName: INTEGRATION_TABLES.Data, Key: { pk: `OTP#${id}`, sk: 'OTP' },
    UpdateExpression: 'SET #steps = :steps, #step = :zero', ExpressionAttributeNames: { '#steps': 'steps', '#step': 'step' }, ExpressionAttributeValues: { ':steps': steps, ':zero': 0 },
  }));
  return { id, to, first: ctx.sms.lastCode(to) };
}
const fallbackEvent = (id: string, outcome: string) => ({ actor: 'system', action: 'otp.fallback' as const, outcome, resource: id });

describe('workflow fallback (DynamoDB Local)', () => {
  it('moves a step once when its timeout and its failed receipt race, and both steps\' codes then approve', async () => {
    const ctx = dynamoOtpDeps();
    const { id, first } = await workflow(ctx, ['whatsapp', 'sms']);
    const second = first === '222222' ? '333333' : '222222';
    const now = ctx.clock.now;
    const state = (await ctx.store.get(id))!;
    // Both triggers read the same state, so the pure rule tells both to send step 1 ...
    const ws: WorkflowState = { status: state.status, steps: state.steps!, current: state.step!, expiresAt: state.expiresAt };
    expect(nextStep(ws, { kind: 'timeout', step: 0 }, now)).toMatchObject({ send: 1, channel: 'sms' });
    expect(nextStep(ws, { kind: 'failed', step: 0 }, now)).toMatchObject({ send: 1, channel: 'sms' });
    // ... and the condition lets one of them write.
    const hash = codeHash(ctx.deps.keys.codeHashKey, id, second, undefined);
    const results = await Promise.all(['whatsapp>sms:timeout', 'whatsapp>sms:failed'].map((outcome) => ctx.store.advanceStep({ id, fromStep: 0, codeHash: hash, nowMs: now, smsRef: `otp:${id}:2` }, fallbackEvent(id, outcome))));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    const after = (await ctx.store.get(id))!;
    expect(after.step).toBe(1);
    expect(after.codeHashes).toEqual([hash]);
    // One event for the one move, committed with it.
    const events = await ctx.trail.store.eventsBetween(now - 60_000, Date.now() + 1000);
    expect(events.filter((e) => e.action === 'otp.fallback' && e.resource === id)).toHaveLength(1);
    // No step after the last.
    expect((await ctx.store.advanceStep({ id, fromStep: 1, codeHash: hash, nowMs: now, smsRef: 'x' }, fallbackEvent(id, 'sms>none'))).ok).toBe(false);
    // The first step's code still approves (codes of every step sent are valid together).
    await expect(verifyOtp(ctx.deps, 'app-a', id, { code: first })).resolves.toMatchObject({ status: 'approved' });
    const kept = (await ctx.store.get(id))!;
    expect(kept.codeHashes).toBeUndefined();
    expect(kept.codeHash).toBeUndefined();
  });

  it('approves with a later step\'s code, and no step moves after approval', async () => {
    const ctx = dynamoOtpDeps();
    const { id, first } = await workflow(ctx, ['whatsapp', 'sms', 'voice']);
    const second = first === '444444' ? '555555' : '444444';
    const now = ctx.clock.now;
    const hash = codeHash(ctx.deps.keys.codeHashKey, id, second, undefined);
    expect((await ctx.store.advanceStep({ id, fromStep: 0, codeHash: hash, nowMs: now, smsRef: 'r2' }, fallbackEvent(id, 'whatsapp>sms:failed'))).ok).toBe(true);
    await expect(verifyOtp(ctx.deps, 'app-a', id, { code: second })).resolves.toMatchObject({ status: 'approved' });
    const moved = await ctx.store.advanceStep({ id, fromStep: 1, codeHash: 'h3', nowMs: now, smsRef: 'r3' }, fallbackEvent(id, 'sms>voice:timeout'));
    expect(moved.ok).toBe(false);
    expect(!moved.ok && moved.current?.status).toBe('approved');
  });

  it('a resend replaces every code, the earlier steps\' too; an expired verification moves no more', async () => {
    const ctx = dynamoOtpDeps();
    const { id, to, first } = await workflow(ctx, ['whatsapp', 'sms']);
    const second = first === '666666' ? '777777' : '666666';
    const hash = codeHash(ctx.deps.keys.codeHashKey, id, second, undefined);
    expect((await ctx.store.advanceStep({ id, fromStep: 0, codeHash: hash, nowMs: ctx.clock.now, smsRef: 'r2' }, fallbackEvent(id, 'whatsapp>sms:timeout'))).ok).toBe(true);
    // The resend interval (30 s) passes on the deps' clock.
    ctx.clock.now += 31_000;
    await resendOtp(ctx.deps, 'app-a', id);
    const third = ctx.sms.lastCode(to);
    expect((await ctx.store.get(id))!.codeHashes).toBeUndefined();
    for (const old of [first, second].filter((c) => c !== third)) {
      await expect(verifyOtp(ctx.deps, 'app-a', id, { code: old })).rejects.toMatchObject({ code: 'invalid_code' });
    }
    // Past its expiry (server clock), nothing moves.
    const late = (await ctx.store.get(id))!.expiresAt + 1;
    expect((await ctx.store.advanceStep({ id, fromStep: 0, codeHash: 'h', nowMs: late, smsRef: 'r' }, fallbackEvent(id, 'x'))).ok).toBe(false);
  });
});
