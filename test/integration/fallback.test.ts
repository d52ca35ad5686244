import { describe, expect, it } from 'vitest';
import { advanceWorkflow } from '#shared/otp/fallback';
import { issueOtp } from '#shared/otp/issue';
import { resendOtp } from '#shared/otp/manage';
import { IssueOtpRequest } from '#shared/otp/schemas';
import { verifyOtp } from '#shared/otp/verify';
import { RecordingVoice } from '../support/fake-otp-deps.ts';
import { randomUkMobile } from '../support/phones.ts';
import { dynamoOtpDeps } from './deps.ts';
import { INTEGRATION_TABLES } from './tables.ts';

/**
 * Fallback on DynamoDB Local (API 1.2; docs/channels.md): the issue writes the plan, the step
 * move is one conditional write with its events, so a timeout and a failed receipt racing send the
 * next step once; the codes of every step sent stay valid together; approval ends the workflow;
 * a resend replaces every code and ends it.
 */
async function workflow(steps: string[], extra: Record<string, unknown> = {}) {
  const voice = new RecordingVoice();
  const ctx = dynamoOtpDeps(INTEGRATION_TABLES, { voice });
  ctx.clock.now = Date.now();
  const to = randomUkMobile();
  const view = await issueOtp(ctx.deps, 'app-a', IssueOtpRequest.parse({ to, workflow: steps.map((channel) => ({ channel })), ...extra }));
  return { ctx, voice, id: view.verificationId, to, view };
}

describe('workflow fallback (DynamoDB Local)', () => {
  it('sends the next step once when its timeout and its failed receipt race, and both steps\' codes approve', async () => {
    const { ctx, voice, id, to } = await workflow(['voice', 'sms']);
    const spoken = voice.lastCode();
    // The call failed (its receipt, as the receipts function writes it) while the timeout fires.
    const stored = (await ctx.store.get(id))!;
    await ctx.store.failStep(id, stored.smsRef!, { status: 'failed', at: ctx.clock.now, errorCode: 'no_answer' }, { actor: 'system', action: 'delivery.receipt', outcome: 'failed:no_answer', resource: id });
    const outcomes = await Promise.all([advanceWorkflow(ctx.deps, { id, kind: 'timeout', step: 0 }), advanceWorkflow(ctx.deps, { id, kind: 'failed' })]);
    expect(outcomes.filter((o) => o === 'sent')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'stale')).toHaveLength(1);
    expect(ctx.sms.sent.filter((s) => s.to === to)).toHaveLength(1);
    const after = (await ctx.store.get(id))!;
    expect(after).toMatchObject({ step: 1, channel: 'sms', deliveries: [{ channel: 'voice', status: 'failed', errorCode: 'no_answer' }] });
    expect(after.codeHashes).toHaveLength(1);
    // One move, committed with it, and its provenance and windows like any send.
    const events = await ctx.trail.store.eventsBetween(ctx.clock.now - 60_000, Date.now() + 1000);
    expect(events.filter((e) => e.action === 'otp.fallback' && e.resource === id)).toHaveLength(1);
    // No step after the last.
    expect(await advanceWorkflow(ctx.deps, { id, kind: 'timeout', step: 1 })).toBe('last_step');
    // The call's code still approves; then nothing is kept that could check a code again.
    await expect(verifyOtp(ctx.deps, 'app-a', id, { code: spoken })).resolves.toMatchObject({ status: 'approved' });
    const kept = (await ctx.store.get(id))!;
    expect(kept.codeHashes).toBeUndefined();
    expect(kept.codeHash).toBeUndefined();
  });

  it('approves with a later step\'s code, and no step moves after approval', async () => {
    const { ctx, id, to } = await workflow(['voice', 'sms', 'whatsapp']);
    // WhatsApp is not configured on these deps: the plan leaves it out.
    expect((await ctx.store.get(id))!.steps).toEqual(['voice', 'sms']);
    expect(await advanceWorkflow(ctx.deps, { id, kind: 'timeout', step: 0 })).toBe('sent');
    await expect(verifyOtp(ctx.deps, 'app-a', id, { code: ctx.sms.lastCode(to) })).resolves.toMatchObject({ status: 'approved' });
    expect(await advanceWorkflow(ctx.deps, { id, kind: 'timeout', step: 1 })).toBe('ended');
  });

  it('a resend replaces every code, the earlier steps\' too, and ends the workflow; an expired verification moves no more', async () => {
    const { ctx, voice, id, to } = await workflow(['voice', 'sms']);
    const first = voice.lastCode();
    expect(await advanceWorkflow(ctx.deps, { id, kind: 'timeout', step: 0 })).toBe('sent');
    const second = ctx.sms.lastCode(to);
    // The resend interval (30 s) passes on the deps' clock.
    ctx.clock.now += 31_000;
    await resendOtp(ctx.deps, 'app-a', id);
    const third = ctx.sms.lastCode(to);
    const stored = (await ctx.store.get(id))!;
    expect(stored.codeHashes).toBeUndefined();
    expect(stored.steps).toBeUndefined();
    expect(stored.deliveries?.map((d) => d.channel)).toEqual(['voice', 'sms']);
    for (const old of [first, second].filter((c) => c !== third)) {
      await expect(verifyOtp(ctx.deps, 'app-a', id, { code: old })).rejects.toMatchObject({ code: 'invalid_code' });
    }
    const expired = await workflow(['voice', 'sms'], { ttlSeconds: 60 });
    expired.ctx.clock.now += 61_000;
    expect(await advanceWorkflow(expired.ctx.deps, { id: expired.id, kind: 'timeout', step: 0 })).toBe('ended');
  });
});
