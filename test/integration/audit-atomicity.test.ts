import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toProblem } from '#shared/http/problem';
import { AuditItems } from '#shared/adapters/store/audit-items';
import { DynamoAuditTrailStore } from '#shared/adapters/store/audit-trail-store';
import { createDocumentClient } from '#shared/adapters/store/client';
import { DynamoFraudStore } from '#shared/adapters/store/fraud-store';
import { DynamoVerificationStore } from '#shared/adapters/store/verification-store';
import { ensureTables, startDynamoDbLocal } from '../../infra/local/dynamodb.ts';
import { fakeOtpDeps } from '../support/fake-otp-deps.ts';
import { issueOtp } from '#shared/otp/issue';
import { resendOtp } from '#shared/otp/manage';
import { IssueOtpRequest } from '#shared/otp/schemas';
import { verifyOtp } from '#shared/otp/verify';
import { DEFAULT_LIMITS } from '#shared/ratelimit/limits';
import { hmac } from '#shared/crypto/hmac';
import { countAwsCalls, totalCalls, type CallTally } from '../../infra/local/aws-calls.ts';
import { randomUkMobile } from '../support/phones.ts';
import { dynamoOtpDeps, freshTables, readWholeTrail } from './deps.ts';

/**
 * The audit event is one more item of the action's own transaction: these tests count the round
 * trips each action costs, and show that an action whose transaction fails leaves no event and an
 * accepted one exactly one, under concurrency too.
 */
const generous = Object.fromEntries(Object.entries(DEFAULT_LIMITS).map(([k, v]) => [k, { ...v, limit: 1_000_000 }])) as typeof DEFAULT_LIMITS;

async function world() {
  const tables = await freshTables('atom');
  const ctx = dynamoOtpDeps(tables);
  ctx.deps.limits = generous;
  const tally: CallTally = new Map();
  countAwsCalls(ctx.doc, tally, 'DynamoDB');
  const since = () => {
    const before = new Map(tally);
    return () => Object.fromEntries([...tally].map(([k, n]) => [k, n - (before.get(k) ?? 0)]).filter(([, n]) => Number(n) > 0));
  };
  const events = async (resource: string) => (await ctx.trail.store.byResource(resource, { from: '2000', until: '3000' })).map((e) => `${e.action}:${e.outcome}`);
  return { ctx, tables, tally, since, events };
}

describe('audit events in the action\'s own transaction (DynamoDB Local)', () => {
  it('an issue is one transaction (+ one UpdateItem after the SMS: its receipt key), a right code one call, a wrong code two; each writes exactly one event', async () => {
    const w = await world();
    const to = randomUkMobile();

    let calls = w.since();
    const { verificationId: id } = await issueOtp(w.ctx.deps, 'app-a', IssueOtpRequest.parse({ to }));
    expect(calls()).toEqual({ 'DynamoDB.TransactWriteItems': 1, 'DynamoDB.UpdateItem': 1 });

    calls = w.since();
    const code = w.ctx.sms.lastCode(to);
    await expect(verifyOtp(w.ctx.deps, 'app-a', id, { code: code === '000000' ? '111111' : '000000' })).rejects.toMatchObject({ code: 'invalid_code' });
    expect(calls()).toEqual({ 'DynamoDB.TransactWriteItems': 2 });

    calls = w.since();
    await verifyOtp(w.ctx.deps, 'app-a', id, { code });
    expect(calls()).toEqual({ 'DynamoDB.TransactWriteItems': 1 });

    expect(await w.events(id)).toEqual(['otp.issue:pending', 'otp.verify:invalid_code', 'otp.verify:approved']);
  });

  it('a resend is a read and one transaction with its event (+ the new SMS\'s receipt key)', async () => {
    const w = await world();
    const to = randomUkMobile();
    const { verificationId: id } = await issueOtp(w.ctx.deps, 'app-a', IssueOtpRequest.parse({ to }));
    w.ctx.clock.now += 31_000;
    const calls = w.since();
    await resendOtp(w.ctx.deps, 'app-a', id);
    expect(calls()).toEqual({ 'DynamoDB.GetItem': 1, 'DynamoDB.TransactWriteItems': 1, 'DynamoDB.UpdateItem': 1 });
    expect(await w.events(id)).toEqual(['otp.issue:pending', 'otp.resend:pending']);
  });

  it('an action whose transaction fails leaves no event: a refused condition, and DynamoDB failing', async () => {
    const w = await world();
    const to = randomUkMobile();
    const { verificationId: id } = await issueOtp(w.ctx.deps, 'app-a', IssueOtpRequest.parse({ to }));
    await verifyOtp(w.ctx.deps, 'app-a', id, { code: w.ctx.sms.lastCode(to) });
    // A second right code: the approve condition fails, nothing is approved twice, no second approval event.
    await expect(verifyOtp(w.ctx.deps, 'app-a', id, { code: w.ctx.sms.lastCode(to) })).rejects.toMatchObject({ code: 'already_approved' });
    expect(await w.events(id)).toEqual(['otp.issue:pending', 'otp.verify:approved', 'otp.verify:closed:already_approved']);

    // DynamoDB fails the issue's transaction: no verification, no event, no SMS.
    const other = randomUkMobile();
    w.ctx.doc.middlewareStack.add(
      () => async () => {
        throw Object.assign(new Error('Internal server error'), { name: 'InternalServerError', $fault: 'server' });
      },
      { step: 'initialize', name: 'failTransactions' },
    );
    await expect(issueOtp(w.ctx.deps, 'app-a', IssueOtpRequest.parse({ to: other }))).rejects.toThrow();
    w.ctx.doc.middlewareStack.remove('failTransactions');
    const index = hmac(w.ctx.deps.keys.blindIndexKey, 'phone', other);
    expect(await w.ctx.trail.store.bySubject(index, { from: '2000', until: '3000' })).toEqual([]);
    expect(w.ctx.sms.sent.filter((s) => s.to === other)).toEqual([]);
  });

  it('64 concurrent issue+verify pairs: every accepted action has exactly one event, no audit item ever conflicts, the trail seals intact', async () => {
    const w = await world();
    const conflictsOnAudit: string[] = [];
    // Watch every cancelled transaction: which of its items failed, and were any of them audit events?
    w.ctx.doc.middlewareStack.add(
      ((next: (a: unknown) => Promise<unknown>) => async (args: { input?: { TransactItems?: { Put?: { TableName?: string } }[] } }) => {
        try {
          return await next(args);
        } catch (error) {
          const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
          reasons.forEach((r, i) => {
            if (r.Code !== 'None' && args.input?.TransactItems?.[i]?.Put?.TableName === w.tables.Audit) conflictsOnAudit.push(r.Code ?? '?');
          });
          throw error;
        }
      }) as never,
      { step: 'initialize', name: 'watchCancellations' },
    );
    const calls = w.since();
    const results = await Promise.all(Array.from({ length: 64 }, async (_, i) => {
      const to = randomUkMobile();
      const { verificationId } = await issueOtp(w.ctx.deps, `app-${i}`, IssueOtpRequest.parse({ to }));
      await verifyOtp(w.ctx.deps, `app-${i}`, verificationId, { code: w.ctx.sms.lastCode(to) });
      return verificationId;
    }));
    const used = calls();
    expect(conflictsOnAudit).toEqual([]);
    for (const id of results) expect(await w.events(id)).toEqual(['otp.issue:pending', 'otp.verify:approved']);
    // Round trips beyond 2 per pair are counter contention (shared country windows), never the audit path.
    expect(used['DynamoDB.TransactWriteItems']).toBeGreaterThanOrEqual(128);
    // Besides the transactions, only each issue's receipt key (one UpdateItem after its SMS).
    expect(used).toEqual({ 'DynamoDB.TransactWriteItems': used['DynamoDB.TransactWriteItems'], 'DynamoDB.UpdateItem': 64 });
    console.log(`64 concurrent issue+verify pairs: ${totalCalls(w.tally)} DynamoDB calls (${(used['DynamoDB.TransactWriteItems']! / 128).toFixed(2)} per action)`);

    await w.ctx.trail.seal();
    expect(await w.ctx.trail.verify()).toMatchObject({ intact: true, events: 128, unsealed: 0 });
  });
});

describe('DynamoDB Local stopped and started mid-run', () => {
  it('answers 503 with Retry-After while it is gone (after the SDK retries), texts nothing, and carries on when it is back', async () => {
    const dbDir = mkdtempSync(join(tmpdir(), 'ddb-restart-'));
    let own = await startDynamoDbLocal({ dbDir });
    const port = Number(new URL(own.endpoint).port);
    try {
      const names = { Data: 'stop-data', Idempotency: 'stop-idem', Audit: 'stop-audit', ArchiveOutbox: 'stop-archive-outbox' };
      await ensureTables(own.endpoint, names);
      const { doc } = createDocumentClient(own.endpoint);
      const items = new AuditItems(doc, names.Audit, 400);
      const fake = fakeOtpDeps({ store: new DynamoVerificationStore(doc, names.Data, items), fraud: new DynamoFraudStore(doc, names.Data, items), audit: items });
      fake.deps.now = () => Date.now();
      const before = await issueOtp(fake.deps, 'app-a', IssueOtpRequest.parse({ to: '+447400123456' }));

      await own.stop();
      const error = await issueOtp(fake.deps, 'app-a', IssueOtpRequest.parse({ to: '+447400123457' })).catch((e: unknown) => e);
      const answer = toProblem(error);
      expect(answer.statusCode).toBe(503);
      expect(answer.headers?.['Retry-After']).toBe('2');
      expect(fake.sms.sent.map((s) => s.to)).toEqual(['+447400123456']);

      own = await startDynamoDbLocal({ dbDir, port });
      // What committed before is whole and usable; nothing of the failed request was written.
      await expect(verifyOtp(fake.deps, 'app-a', before.verificationId, { code: fake.sms.lastCode('+447400123456') })).resolves.toMatchObject({ status: 'approved' });
      await expect(issueOtp(fake.deps, 'app-a', IssueOtpRequest.parse({ to: '+447400123457' }))).resolves.toMatchObject({ status: 'pending' });
      const events = await readWholeTrail(new DynamoAuditTrailStore(doc, names.Audit));
      expect(events.events.map((e) => `${e.action}:${e.outcome}`).sort()).toEqual(['otp.issue:pending', 'otp.issue:pending', 'otp.verify:approved']);
    } finally {
      await own.stop().catch(() => undefined);
    }
  });
});
