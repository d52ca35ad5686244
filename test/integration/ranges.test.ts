import { describe, expect, it } from 'vitest';
import { issueOtp } from '#shared/otp/issue';
import { IssueOtpRequest } from '#shared/otp/schemas';
import { verifyOtp } from '#shared/otp/verify';
import { DEFAULT_LIMITS } from '#shared/ratelimit/limits';
import { RANGE_RULES, rangeTag } from '#shared/fraud/ranges';
import { listBlocks, putBlock } from '#shared/fraud/manage';
import { sequentialNumbers } from '../../infra/simulator/numbers.ts';
import { countAwsCalls, type CallTally } from '../../infra/local/aws-calls.ts';
import { creditApproval } from '#shared/fraud/range-credit';
import { numberTrusted } from '#shared/adapters/store/fraud-store';
import { DynamoRangeCredits } from '#shared/adapters/store/range-credit-store';
import { dynamoOtpDeps, freshTables } from './deps.ts';

/**
 * Range blocking on DynamoDB Local: the block check and the range's counters ride in the issue's
 * own transaction; a pumped range stops within its rule; approvals count back; trusted numbers
 * pass; a lapsed block lets traffic through.
 */
async function world() {
  const tables = await freshTables('range');
  const ctx = dynamoOtpDeps(tables);
  ctx.deps.limits = { ...DEFAULT_LIMITS, prefix: { limit: 100_000, windowSeconds: 3600 } };
  ctx.deps.now = () => Date.now();
  const issue = (to: string) => issueOtp(ctx.deps, 'app-a', IssueOtpRequest.parse({ to }));
  // The right code, then what the audit stream's reader (functions/credit-ranges.ts) does with its event.
  const credits = {
    credits: new DynamoRangeCredits(ctx.doc, tables.Data),
    fraud: { isTrusted: (i: string, since: number, before?: number) => numberTrusted(ctx.doc, tables.Data, i, since, before) },
  };
  const verify = async (id: string, to: string) => {
    await verifyOtp(ctx.deps, 'app-a', id, { code: ctx.sms.lastCode(to) });
    return creditApproval(credits, { action: 'otp.verify', outcome: 'approved', resource: id });
  };
  return { ctx, tables, issue, verify };
}

describe('range blocking (DynamoDB Local)', () => {
  it('checks the range and counts the send in the issue\'s own transaction: no call of its own', async () => {
    const w = await world();
    const tally: CallTally = new Map();
    countAwsCalls(w.ctx.doc, tally, 'DynamoDB');
    await w.issue('+447400900100');
    // The UpdateItem after the SMS records the provider's id for its receipt (delivery/sent.ts).
    expect(Object.fromEntries(tally)).toEqual({ 'DynamoDB.TransactWriteItems': 1, 'DynamoDB.UpdateItem': 1 });
  });

  it('stops a pumped range at its rule, blocks it with an audit event, and answers 403 prefix_blocked', async () => {
    const w = await world();
    const answers: string[] = [];
    for (const to of sequentialNumbers('+447400901000', 30)) {
      answers.push(await w.issue(to).then(() => '201', (e: { status: number; extra?: { reason?: string } }) => `${e.status}:${e.extra?.reason}`));
    }
    const sent = answers.filter((a) => a === '201').length;
    expect(sent).toBe(Math.max(RANGE_RULES.minSent, RANGE_RULES.slack + 1));
    expect(answers.slice(sent).every((a) => a === '403:prefix_blocked')).toBe(true);
    expect(w.ctx.sms.sent).toHaveLength(sent);
    const { blocks } = await listBlocks({ fraud: w.ctx.fraud, now: Date.now });
    expect(blocks).toEqual([expect.objectContaining({ kind: 'prefix', key: '4474009', reason: 'low_conversion', sent, approved: 0 })]);
    const events = await w.ctx.trail.store.eventsBetween(Date.now() - 60_000, Date.now());
    expect(events.filter((e) => e.action === 'fraud.block').map((e) => e.outcome)).toEqual(['prefix:4474009']);
    // Another range of the same country is not affected.
    await expect(w.issue('+447400800100')).resolves.toMatchObject({ status: 'pending' });
  });

  it('honest traffic that verifies is never refused, however busy the range', async () => {
    const w = await world();
    for (const to of sequentialNumbers('+447400902000', 40)) {
      const { verificationId } = await w.issue(to);
      expect(await w.verify(verificationId, to)).toBe('credited');
    }
    expect(w.ctx.sms.sent).toHaveLength(40);
    expect((await listBlocks({ fraud: w.ctx.fraud, now: Date.now })).blocks).toEqual([]);
  });

  it('an attacker verifying 1 code in 5 gets at most 20 codes into a range, and the range is blocked as unverified', async () => {
    const w = await world();
    let sent = 0;
    for (const to of sequentialNumbers('+447400904000', 60)) {
      const issued = await w.issue(to).catch(() => undefined);
      if (!issued) continue;
      sent++;
      if (sent % 5 === 0) await w.verify(issued.verificationId, to);
    }
    // 19 sent, 3 verified: the 16 nobody verified refuse the 20th.
    expect(sent).toBe(19);
    expect((await listBlocks({ fraud: w.ctx.fraud, now: Date.now })).blocks).toEqual([expect.objectContaining({ key: '4474009', reason: 'unverified', sent: 19, approved: 3 })]);
  });

  it('eight trusted people verifying in a pumped range give the attack no cover, and are all served', async () => {
    const w = await world();
    const numbers = sequentialNumbers('+447400906000', 80);
    const regulars = numbers.slice(0, 8);
    const bots = numbers.slice(8);
    // The regulars verified a code last week: that approval is what makes them trusted (and its window is long gone).
    const realNow = w.ctx.deps.now;
    w.ctx.deps.now = () => realNow() - 7 * 86_400_000;
    for (const to of regulars) expect(await w.verify((await w.issue(to)).verificationId, to)).toBe('credited');
    w.ctx.deps.now = realNow;
    // Now the bots pump the range while the regulars sign in (one each after every 8 bot requests).
    let botCodes = 0;
    const served: string[] = [];
    for (const [i, to] of bots.entries()) {
      if (await w.issue(to).then(() => true, () => false)) botCodes++;
      if (i % 8 === 7 && served.length < regulars.length) {
        const who = regulars[served.length]!;
        const { verificationId } = await w.issue(who);
        // Trusted: it pays for its own code, and earns the range no credit.
        expect(await w.verify(verificationId, who)).toBe('trusted');
        served.push(who);
      }
    }
    expect(served).toHaveLength(8);
    // What pumping alone gets (was 48 when every approval credited the range).
    expect(botCodes).toBe(Math.max(RANGE_RULES.minSent, RANGE_RULES.slack + 1));
    // A regular asking again, after the block, is still served.
    await expect(w.issue(regulars[0]!)).resolves.toMatchObject({ status: 'pending' });
  });

  it('a number verifying twice in a window credits its range once; a retried stream batch credits nothing again', async () => {
    const w = await world();
    const [to] = sequentialNumbers('+447400907000', 1);
    const a = await w.issue(to!);
    expect(await w.verify(a.verificationId, to!)).toBe('credited');
    const credits = { credits: new DynamoRangeCredits(w.ctx.doc, w.tables.Data), fraud: { isTrusted: async () => false } };
    // The same event again (a batch retried), even if the trust query missed it: the marker refuses a second credit.
    expect(await creditApproval(credits, { action: 'otp.verify', outcome: 'approved', resource: a.verificationId })).toBe('repeat');
    const b = await w.issue(to!);
    expect(await w.verify(b.verificationId, to!)).toBe('trusted');
  });

  it('the trusted are refused by nothing an attack on their range fills: not the range block, not the prefix window', async () => {
    const w = await world();
    w.ctx.deps.limits = { ...DEFAULT_LIMITS, prefix: { limit: 12, windowSeconds: 3600 } };
    const [trusted, ...bots] = sequentialNumbers('+447400905000', 40);
    const first = await w.issue(trusted!);
    await w.verify(first.verificationId, trusted!);
    const refused = new Set<string>();
    for (const to of bots) await w.issue(to).catch((e: { status: number; extra?: { reason?: string; limit?: string } }) => refused.add(`${e.status}:${e.extra?.reason ?? e.extra?.limit}`));
    // The bots filled the prefix window (12 an hour) before the range rule stopped them.
    expect([...refused]).toEqual(['429:prefix']);
    await expect(w.issue(bots.at(-1)!)).rejects.toMatchObject({ status: 429, extra: { limit: 'prefix' } });
    await expect(w.issue(trusted!)).resolves.toMatchObject({ status: 'pending' });
  });

  it('a number that verified before passes its range\'s block; a new number does not', async () => {
    const w = await world();
    const [trusted, ...others] = sequentialNumbers('+447400903000', 25);
    const first = await w.issue(trusted!);
    await w.verify(first.verificationId, trusted!);
    for (const to of others) await w.issue(to).catch(() => undefined);
    expect((await listBlocks({ fraud: w.ctx.fraud, now: Date.now })).blocks).toHaveLength(1);
    await expect(w.issue(others.at(-1)!)).rejects.toMatchObject({ extra: { reason: 'prefix_blocked' } });
    await expect(w.issue(trusted!)).resolves.toMatchObject({ status: 'pending' });
  });

  it('ops block a range by hand and lift it; a block that lapsed lets traffic through', async () => {
    const w = await world();
    const ops = { fraud: w.ctx.fraud, keys: w.ctx.deps.keys, now: Date.now };
    await putBlock(ops, 'ops-client', { kind: 'prefix', key: '4474009', hours: 1, reason: 'carrier report' });
    await expect(w.issue('+447400904100')).rejects.toMatchObject({ extra: { reason: 'prefix_blocked' } });
    // A block whose time is over (TTL deletes late): the condition reads `until`, not the item's presence.
    await w.ctx.fraud.put({ kind: 'prefix', key: '4474009', reason: 'old', since: 0, until: Date.now() - 1000, tag: rangeTag(w.ctx.deps.keys.blindIndexKey, '4474009') }, { actor: 'ops', action: 'fraud.block', outcome: 'prefix:4474009' });
    await expect(w.issue('+447400904101')).resolves.toMatchObject({ status: 'pending' });
    // A whole country: by hand only, and answered as such.
    await putBlock(ops, 'ops-client', { kind: 'country', key: 'GB', hours: 1, reason: 'incident' });
    await expect(w.issue('+447400800200')).rejects.toMatchObject({ extra: { reason: 'country_paused' } });
  });
});
