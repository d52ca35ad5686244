import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { consentKey } from '#shared/adapters/store/consent-guard';
import { Envelope } from '#shared/crypto/envelope';
import { hmac } from '#shared/crypto/hmac';
import { revokeMessage } from '#shared/messages/manage';
import { openMessage, pageState, requestOpenCode } from '#shared/messages/recipient';
import { SendMessageRequest } from '#shared/messages/schemas';
import { sendMessage } from '#shared/messages/send';
import { randomUkMobile } from '../support/phones.ts';
import { dynamoMessageDeps } from './deps.ts';
import { INTEGRATION_TABLES } from './tables.ts';

type Ctx = ReturnType<typeof dynamoMessageDeps>;
async function sent(ctx: Ctx, body: Record<string, unknown> = {}) {
  const to = randomUkMobile();
  const out = await sendMessage(ctx.deps, 'app-a', SendMessageRequest.parse({ to, body: 'PIN 4921', brand: 'Acme', ...body }));
  const token = ctx.sms.sent.filter((s) => s.to === to).at(-1)!.text.match(/\/m\/([\w-]{43})/)?.[1];
  return { to, id: out.messageId, token: token! };
}
async function codeFor(ctx: Ctx, s: { to: string; token: string }) {
  await requestOpenCode(ctx.deps, s.token);
  return ctx.sms.lastCode(s.to);
}
const stored = async (ctx: Ctx, id: string) =>
  (await ctx.doc.send(new GetCommand({ TableName: INTEGRATION_TABLES.Data, Key: { pk: `MSG#${id}`, sk: 'MSG' } }))).Item!;

describe('sealed messages on DynamoDB Local', () => {
  it('stores the body only encrypted, and burns it before the open answers', async () => {
    const ctx = dynamoMessageDeps();
    const s = await sent(ctx, { body: 'Lab result: negative' });
    expect(JSON.stringify(await stored(ctx, s.id))).not.toMatch(new RegExp(`Lab result|${s.to.slice(1)}`));
    expect(ctx.sms.sent.find((m) => m.to === s.to)!.text).not.toContain('Lab result');
    const page = await pageState(ctx.deps, s.token);
    expect(page.state).toBe('active');
    const opened = await openMessage(ctx.deps, s.token, await codeFor(ctx, s));
    expect(opened.body).toBe('Lab result: negative');
    expect((await stored(ctx, s.id)).sealedBody).toBeUndefined();
    await expect(openMessage(ctx.deps, s.token, '123456')).rejects.toMatchObject({ status: 410, code: 'already_read' });
  });

  it('loses nothing when the key service fails during an open: nothing is burned, the same code works after', async () => {
    const ctx = dynamoMessageDeps();
    const s = await sent(ctx, { body: 'Contract link: https://acme.example/c/42' });
    const code = await codeFor(ctx, s);
    const failing = { ...ctx.deps, envelope: new Envelope({ generateDataKey: () => Promise.reject(new Error('KMS down')), unwrapDataKey: () => Promise.reject(new Error('KMS down')) }) };
    await expect(openMessage(failing, s.token, code)).rejects.toThrow('KMS down');
    expect((await stored(ctx, s.id)).sealedBody).toBeDefined();
    expect((await openMessage(ctx.deps, s.token, code)).body).toBe('Contract link: https://acme.example/c/42');
  });

  it('gives the body to exactly one of 10 concurrent right answers', async () => {
    const ctx = dynamoMessageDeps();
    const s = await sent(ctx);
    const code = await codeFor(ctx, s);
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => openMessage(ctx.deps, s.token, code)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  it('never decrypts after a revoke: racing opens and revokes end in exactly one winner', async () => {
    const ctx = dynamoMessageDeps();
    for (let round = 0; round < 8; round++) {
      const s = await sent(ctx);
      const code = await codeFor(ctx, s);
      const [open, revoke] = await Promise.allSettled([openMessage(ctx.deps, s.token, code), revokeMessage(ctx.deps, 'app-a', s.id)]);
      const outcome = `${open.status}/${revoke.status}`;
      expect(['fulfilled/rejected', 'rejected/fulfilled']).toContain(outcome);
      if (open.status === 'rejected') expect(open.reason.code).toBe('revoked');
      if (revoke.status === 'rejected') expect(revoke.reason.code).toBe('already_read');
      expect((await stored(ctx, s.id)).sealedBody).toBeUndefined();
    }
  });

  it('counts 20 concurrent wrong codes as exactly 5 attempts, then locks', async () => {
    const ctx = dynamoMessageDeps();
    const s = await sent(ctx);
    const code = await codeFor(ctx, s);
    const wrong = code === '000000' ? '111111' : '000000';
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => openMessage(ctx.deps, s.token, wrong)));
    const codes = results.map((r) => (r.status === 'rejected' ? r.reason.code : 'ok'));
    expect(codes.filter((c) => c === 'invalid_code')).toHaveLength(4);
    expect(codes.filter((c) => c === 'max_attempts_reached')).toHaveLength(16);
    await expect(openMessage(ctx.deps, s.token, code)).rejects.toMatchObject({ code: 'max_attempts_reached' });
  });

  it('treats a message past expiry as expired although TTL has not removed it', async () => {
    const ctx = dynamoMessageDeps();
    const s = await sent(ctx, { ttlSeconds: 300 });
    const code = await codeFor(ctx, s);
    ctx.clock.now += 300_000;
    expect((await pageState(ctx.deps, s.token)).state).toBe('expired');
    await expect(openMessage(ctx.deps, s.token, code)).rejects.toMatchObject({ status: 410, code: 'expired' });
  });

  it('gates promotional messages on a recorded opt-in and every message on opt-out, inside the transaction', async () => {
    const ctx = dynamoMessageDeps();
    const to = randomUkMobile();
    const index = hmac(ctx.deps.keys.blindIndexKey, 'phone', to);
    const send = (category: string) => sendMessage(ctx.deps, 'app-a', SendMessageRequest.parse({ to, body: 'Sale!', category }));
    await expect(send('promotional')).rejects.toMatchObject({ status: 403, code: 'consent_required' });
    await ctx.doc.send(new PutCommand({ TableName: INTEGRATION_TABLES.Data, Item: { ...consentKey(index), promotional: 'opted_in', optedOutAll: false } }));
    await expect(send('promotional')).resolves.toMatchObject({ status: 'sent' });
    await ctx.doc.send(new PutCommand({ TableName: INTEGRATION_TABLES.Data, Item: { ...consentKey(index), promotional: 'opted_in', optedOutAll: true } }));
    await expect(send('transactional')).rejects.toMatchObject({ status: 403, code: 'recipient_opted_out' });
    expect(ctx.sms.sent.filter((s) => s.to === to)).toHaveLength(1);
  });

  it('sends no open code to a number that opted out after the message, as for any send', async () => {
    const ctx = dynamoMessageDeps();
    const s = await sent(ctx);
    const index = hmac(ctx.deps.keys.blindIndexKey, 'phone', s.to);
    await ctx.doc.send(new PutCommand({ TableName: INTEGRATION_TABLES.Data, Item: { ...consentKey(index), optedOutAll: true } }));
    await expect(requestOpenCode(ctx.deps, s.token)).rejects.toMatchObject({ status: 403, code: 'recipient_opted_out' });
    expect(ctx.sms.sent.filter((x) => x.to === s.to)).toHaveLength(1);
    expect((await stored(ctx, s.id)).openSends).toBe(0);
    // Back in (START): the code goes out.
    await ctx.doc.send(new PutCommand({ TableName: INTEGRATION_TABLES.Data, Item: { ...consentKey(index), optedOutAll: false } }));
    await expect(codeFor(ctx, s)).resolves.toMatch(/^\d+$/);
  });

  it('records an expired link\'s expiry once however many requests find it (the sweep\'s write needs the bucket this removes)', async () => {
    const ctx = dynamoMessageDeps();
    const s = await sent(ctx, { ttlSeconds: 300 });
    const code = await codeFor(ctx, s);
    ctx.clock.now += 300_000;
    for (let i = 0; i < 5; i++) {
      await expect(openMessage(ctx.deps, s.token, code)).rejects.toMatchObject({ code: 'expired' });
      await expect(requestOpenCode(ctx.deps, s.token)).rejects.toMatchObject({ code: 'expired' });
    }
    await Promise.all(Array.from({ length: 10 }, () => openMessage(ctx.deps, s.token, code).catch(() => undefined)));
    const events = await ctx.trail.store.byResource(s.id, { from: '2000', until: '3000' });
    expect(events.filter((e) => e.action === 'message.expired').map((e) => e.outcome)).toEqual(['expired']);
    const item = await stored(ctx, s.id);
    expect(item.sealedBody).toBeUndefined();
    expect(item.expiredAt).toBeDefined();
  });
});

describe('audit trail on DynamoDB Local', () => {
  it('records send, code, failed open, open and revoke, each with its write', async () => {
    const ctx = dynamoMessageDeps();
    const s = await sent(ctx, { burnAfterRead: false });
    const code = await codeFor(ctx, s);
    await openMessage(ctx.deps, s.token, code === '000000' ? '111111' : '000000').catch(() => undefined);
    await openMessage(ctx.deps, s.token, code);
    await revokeMessage(ctx.deps, 'app-a', s.id);
    const events = await ctx.trail.store.byResource(s.id, { from: '2000', until: '3000' });
    expect(events.map((e) => `${e.action}:${e.outcome}`)).toEqual(['message.send:sent', 'message.code:sent', 'message.open:invalid_code', 'message.open:opened', 'message.revoke:revoked']);
    expect(JSON.stringify(events)).not.toContain(s.to.slice(1));
  });
});
