import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '#shared/audit/event';
import { fallbackOfOutcome, stepOfOutcome } from '#shared/channels/workflow';
import { toCloudEvent } from '#shared/events/cloud-event';
import { fallbackTriggersOf } from '#shared/events/fallback-triggers';
import { advanceWorkflow } from '#shared/otp/fallback';
import { issueOtp } from '#shared/otp/issue';
import { getOtp, resendOtp } from '#shared/otp/manage';
import { IssueOtpRequest } from '#shared/otp/schemas';
import { verifyOtp } from '#shared/otp/verify';
import { fakeOtpDeps, RecordingVoice } from '../support/fake-otp-deps.ts';

const TO = '+447400123456';
function setup() {
  const voice = new RecordingVoice();
  const ctx = fakeOtpDeps({ voice });
  return { ...ctx, voice };
}
const issue = (ctx: ReturnType<typeof setup>, body: Record<string, unknown>) => issueOtp(ctx.deps, 'app-a', IssueOtpRequest.parse({ to: TO, ...body }));
const asAudit = (events: { action: string; outcome: string; resource?: string }[]) => events.map((e, i) => ({ ...e, id: `e${i}`, at: new Date(0).toISOString(), hash: '', actor: 'app-a' }) as AuditEvent);

describe('workflows on the request path', () => {
  it('validates workflow and channelTimeout', () => {
    expect(IssueOtpRequest.safeParse({ to: TO, channel: 'sms', workflow: [{ channel: 'voice' }] }).success).toBe(false);
    expect(IssueOtpRequest.safeParse({ to: TO, workflow: [{ channel: 'sms' }, { channel: 'sms' }] }).success).toBe(false);
    expect(IssueOtpRequest.safeParse({ to: TO, workflow: [] }).success).toBe(false);
    expect(IssueOtpRequest.safeParse({ to: TO, workflow: ['sms', 'voice', 'whatsapp', 'email', 'sms'].map((channel) => ({ channel })) }).success).toBe(false);
    expect(IssueOtpRequest.safeParse({ to: TO, channelTimeout: 60 }).success).toBe(false);
    expect(IssueOtpRequest.safeParse({ to: TO, workflow: [{ channel: 'sms' }], channelTimeout: 14 }).success).toBe(false);
    expect(IssueOtpRequest.safeParse({ to: TO, workflow: [{ channel: 'sms' }], channelTimeout: 301 }).success).toBe(false);
    expect(IssueOtpRequest.safeParse({ to: TO, workflow: [{ channel: 'voice' }, { channel: 'sms' }], channelTimeout: 15 }).success).toBe(true);
  });

  it('sends the first step, keeps the plan, and writes the step\'s timeout and the skips as events', async () => {
    const ctx = setup();
    const view = await issue(ctx, { workflow: [{ channel: 'whatsapp' }, { channel: 'voice' }, { channel: 'sms' }], channelTimeout: 30 });
    expect(view.channel).toBe('voice');
    expect(view.deliveries).toEqual([{ channel: 'voice', status: 'sent', at: expect.any(String) }]);
    expect(ctx.voice.calls).toHaveLength(1);
    expect(ctx.sms.sent).toHaveLength(0);
    const v = (await ctx.store.get(view.verificationId))!;
    // WhatsApp is not configured here: skipped, not failed.
    expect(v).toMatchObject({ steps: ['voice', 'sms'], step: 0, channelTimeout: 30 });
    const outcomes = ctx.audit.events.filter((e) => e.resource === view.verificationId).map((e) => `${e.action} ${e.outcome}`);
    expect(outcomes).toEqual(['otp.issue pending', 'otp.fallback skipped:whatsapp>voice', 'otp.step 0/2:30']);
  });

  it('refuses a one-step request it cannot use, and a workflow none of whose steps it can, writing nothing', async () => {
    const ctx = setup();
    await expect(issue(ctx, { channel: 'whatsapp' })).rejects.toMatchObject({ status: 403, code: 'channel_unavailable' });
    await expect(issue(ctx, { workflow: [{ channel: 'whatsapp' }, { channel: 'email' }] })).rejects.toMatchObject({ status: 403, code: 'channel_unavailable' });
    expect(ctx.store.items.size).toBe(0);
    expect(ctx.audit.events).toHaveLength(0);
  });

  it('a plain request is as in 1.0: SMS, no plan, one delivery', async () => {
    const ctx = setup();
    const view = await issue(ctx, {});
    expect(view).toMatchObject({ channel: 'sms', deliveries: [{ channel: 'sms', status: 'sent' }] });
    const v = (await ctx.store.get(view.verificationId))!;
    expect(v.steps).toBeUndefined();
    expect(ctx.audit.events.map((e) => e.action)).toEqual(['otp.issue']);
  });
});

describe('advancing a workflow', () => {
  it('the timeout sends the next step once; both codes approve; a late trigger of the same step sends nothing', async () => {
    const ctx = setup();
    const { verificationId: id } = await issue(ctx, { workflow: [{ channel: 'voice' }, { channel: 'sms' }] });
    const spoken = ctx.voice.lastCode();
    expect(await advanceWorkflow(ctx.deps, { id, kind: 'timeout', step: 0 })).toBe('sent');
    expect(await advanceWorkflow(ctx.deps, { id, kind: 'timeout', step: 0 })).toBe('stale');
    expect(await advanceWorkflow(ctx.deps, { id, kind: 'timeout', step: 1 })).toBe('last_step');
    expect(ctx.sms.sent).toHaveLength(1);
    const view = await getOtp(ctx.deps, 'app-a', id);
    expect(view.channel).toBe('sms');
    expect(view.deliveries.map((d) => d.channel)).toEqual(['voice', 'sms']);
    const move = ctx.audit.events.find((e) => e.action === 'otp.fallback')!;
    expect(move.outcome).toBe('timeout:voice>sms');
    // The call's code is still good after the SMS went out.
    await expect(verifyOtp(ctx.deps, 'app-a', id, { code: spoken })).resolves.toMatchObject({ status: 'approved' });
  });

  it('a failed receipt moves on only when the step in use is the one that failed', async () => {
    const ctx = setup();
    const { verificationId: id } = await issue(ctx, { workflow: [{ channel: 'voice' }, { channel: 'sms' }] });
    expect(await advanceWorkflow(ctx.deps, { id, kind: 'failed' })).toBe('stale');
    const v = ctx.store.items.get(id)!;
    v.receipt = { status: 'failed', at: ctx.clock.now, errorCode: 'unreachable' };
    expect(await advanceWorkflow(ctx.deps, { id, kind: 'failed' })).toBe('sent');
    expect(ctx.store.items.get(id)!.deliveries).toEqual([{ channel: 'voice', status: 'failed', at: ctx.clock.now, errorCode: 'unreachable' }]);
    expect(ctx.audit.events.find((e) => e.action === 'otp.fallback')!.outcome).toBe('failed:voice>sms');
  });

  it('a refused first step fails the step, not the verification, and its event brings the next step', async () => {
    const ctx = setup();
    ctx.voice.refuse = true;
    const view = await issue(ctx, { workflow: [{ channel: 'voice' }, { channel: 'sms' }] });
    expect(view.status).toBe('pending');
    expect(view.delivery).toMatchObject({ status: 'failed', errorCode: 'provider_refused' });
    const receipt = ctx.audit.events.find((e) => e.action === 'delivery.receipt')!;
    expect(receipt.outcome).toBe('failed:provider_refused');
    expect(fallbackTriggersOf(asAudit([{ ...receipt, resource: view.verificationId }]))).toEqual([{ trigger: { id: view.verificationId, kind: 'failed' }, delaySeconds: 0 }]);
    expect(await advanceWorkflow(ctx.deps, { id: view.verificationId, kind: 'failed' })).toBe('sent');
    expect(ctx.sms.sent).toHaveLength(1);
  });

  it('sends nothing after approval, cancel, expiry or a resend', async () => {
    const ctx = setup();
    const approved = await issue(ctx, { workflow: [{ channel: 'voice' }, { channel: 'sms' }] });
    await verifyOtp(ctx.deps, 'app-a', approved.verificationId, { code: ctx.voice.lastCode() });
    expect(await advanceWorkflow(ctx.deps, { id: approved.verificationId, kind: 'timeout', step: 0 })).toBe('ended');

    const expired = await issue(ctx, { workflow: [{ channel: 'voice' }, { channel: 'sms' }], ttlSeconds: 60 });
    ctx.clock.now += 61_000;
    expect(await advanceWorkflow(ctx.deps, { id: expired.verificationId, kind: 'timeout', step: 0 })).toBe('ended');

    const resent = await issue(ctx, { workflow: [{ channel: 'voice' }, { channel: 'sms' }] });
    ctx.clock.now += 31_000;
    const first = ctx.voice.lastCode();
    const after = await resendOtp(ctx.deps, 'app-a', resent.verificationId, { channel: 'voice' });
    expect(after.deliveries.map((d) => d.channel)).toEqual(['voice', 'voice']);
    // Resend replaces: the workflow is over and the first call's code no longer works.
    expect(await advanceWorkflow(ctx.deps, { id: resent.verificationId, kind: 'timeout', step: 0 })).toBe('not_a_workflow');
    await expect(verifyOtp(ctx.deps, 'app-a', resent.verificationId, { code: first === ctx.voice.lastCode() ? '000000' : first })).rejects.toMatchObject({ code: 'invalid_code' });
    expect(ctx.sms.sent).toHaveLength(0);
  });

  it('a fallback SMS counts in the number\'s windows like any send, and a full one ends the workflow', async () => {
    const ctx = setup();
    const { verificationId: id } = await issue(ctx, { workflow: [{ channel: 'voice' }, { channel: 'sms' }] });
    for (const [key] of ctx.store.counters) ctx.store.counters.set(key, 1_000_000);
    expect(await advanceWorkflow(ctx.deps, { id, kind: 'timeout', step: 0 })).toBe('refused');
    expect(ctx.sms.sent).toHaveLength(0);
    expect(ctx.audit.events.at(-1)).toMatchObject({ action: 'otp.fallback', outcome: 'refused:rate_limited' });
  });
});

describe('workflow events', () => {
  it('round-trips the step and move outcomes', () => {
    expect(stepOfOutcome('1/3:60')).toEqual({ index: 1, steps: 3, timeoutSeconds: 60 });
    expect(stepOfOutcome('pending')).toBeUndefined();
    expect(fallbackOfOutcome('skipped:whatsapp>sms')).toEqual({ reason: 'skipped', from: 'whatsapp', to: 'sms' });
    expect(fallbackOfOutcome('refused:rate_limited')).toBeUndefined();
  });

  it('schedules a timeout for a step with a step after it, and a check for a verification\'s failed receipt only', () => {
    const id = 'a'.repeat(32);
    const triggers = fallbackTriggersOf(asAudit([
      { action: 'otp.step', outcome: '0/2:45', resource: id },
      { action: 'otp.step', outcome: '1/2:45', resource: id },
      { action: 'delivery.receipt', outcome: 'failed:unreachable', resource: id },
      { action: 'delivery.receipt', outcome: 'delivered', resource: id },
      { action: 'delivery.receipt', outcome: 'failed:unreachable', resource: 'm'.repeat(22) },
    ]));
    expect(triggers).toEqual([
      { trigger: { id, kind: 'timeout', step: 0 }, delaySeconds: 45 },
      { trigger: { id, kind: 'failed' }, delaySeconds: 0 },
    ]);
  });

  it('announces a move as verification.fallback to the verification\'s owner, and a refused one not at all', () => {
    const [move, refused] = asAudit([
      { action: 'otp.fallback', outcome: 'failed:whatsapp>sms', resource: 'v'.repeat(32) },
      { action: 'otp.fallback', outcome: 'refused:rate_limited', resource: 'v'.repeat(32) },
    ]).map((e) => ({ ...e, actor: 'system', owner: 'app-a', subjectMask: '+4474******56' }));
    expect(toCloudEvent(move!)).toMatchObject({
      audience: { client: 'app-a' },
      event: { type: 'verification.fallback', data: { verificationId: 'v'.repeat(32), to: 'sms', from: 'whatsapp', reason: 'failed' } },
    });
    expect(toCloudEvent(refused!)).toBeUndefined();
  });
});
