import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bundleFunction } from '../../infra/bundle.ts';
import { DEFAULT_BUILD } from '../../infra/constructs/sealtext-function.ts';
import { ROUTES } from '../../infra/routes.ts';

/**
 * The deployable bundles themselves (ESM, minified, SDK inside), loaded and invoked as Lambda would:
 * a bundling mistake (a CommonJS require, a missing module) shows here, not after a deploy.
 */
const out = mkdtempSync(join(tmpdir(), 'sealtext-bundles-'));
Object.assign(process.env, {
  AWS_REGION: 'eu-west-1', STAGE: 'dev', DATA_TABLE_NAME: 'data', KEY_SOURCE: 'kms',
  KMS_KEY_ARN: 'arn:aws:kms:eu-west-1:111122223333:key/x', SMS_ADAPTER: 'sns', ALLOWED_COUNTRIES: 'GB',
  POWERTOOLS_METRICS_DISABLED: 'true', POWERTOOLS_LOG_LEVEL: 'SILENT',
});
const context = { functionName: 'bundle-test', awsRequestId: 'r', getRemainingTimeInMillis: () => 10_000 };

describe('deployable bundles', () => {
  for (const route of ROUTES.filter((r) => r.scope !== 'public')) {
    it(`${route.fn} loads and answers a request without a token with 401 problem+json`, async () => {
      const file = join(out, `${route.fn}.mjs`);
      await bundleFunction(route.fn, file);
      const { handler } = (await import(pathToFileURL(file).href)) as { handler: (e: unknown, c: unknown) => Promise<{ statusCode: number; headers: Record<string, string>; body: string }> };
      const res = await handler({ httpMethod: route.method, path: route.path, headers: {}, body: null, requestContext: {} }, context);
      expect(res.statusCode).toBe(401);
      expect(res.headers['Content-Type']).toBe('application/problem+json');
      expect(JSON.parse(res.body)).toMatchObject({ code: 'unauthorized' });
    });
  }

  it('validates with English messages naming the fields, with zod\'s locales left out of the bundle', async () => {
    const file = join(out, 'issue-otp.mjs');
    await bundleFunction('issue-otp', file);
    const source = (await import('node:fs')).readFileSync(file, 'utf8');
    // Two of the locales zod ships; neither may be in a bundle any more.
    expect(source).not.toMatch(/Ungültige Eingabe|Entrada inválida/);
    const { handler } = (await import(pathToFileURL(file).href)) as { handler: (e: unknown, c: unknown) => Promise<{ statusCode: number; body: string }> };
    const claims = { client_id: 'app', scope: 'p2a/otp.send' };
    const res = await handler({
      httpMethod: 'POST', path: '/v1/otp', headers: { 'Content-Type': 'application/json' }, requestContext: { authorizer: { claims } },
      body: JSON.stringify({ to: '12', codeLength: 3, signals: { ip: 'nope' }, extra: true }),
    }, context);
    expect(res.statusCode).toBe(400);
    const errors = (JSON.parse(res.body) as { errors: { path: string; message: string }[] }).errors;
    expect(errors.map((e) => e.path).sort()).toEqual(['(body)', 'codeLength', 'signals.ip', 'to'].sort());
    for (const e of errors) expect(e.message).toMatch(/^[A-Z][\w ,.:'"()+-]+/);
  });

  it('the events functions load and handle an event that holds nothing for them without a call to AWS', async () => {
    const load = async (fn: string) => {
      const file = join(out, `${fn}.mjs`);
      await bundleFunction(fn, file);
      return ((await import(pathToFileURL(file).href)) as { handler: (e: unknown, c: unknown) => Promise<unknown> }).handler;
    };
    // A stream batch of seal items only (nothing to announce), an empty SQS batch, a non-final receipt.
    const seal = { eventName: 'INSERT', dynamodb: { NewImage: { pk: { S: 'SEAL' }, sk: { S: 'S#1' } } } };
    process.env.EVENT_BUS_NAME = 'sealtext-dev';
    process.env.WEBHOOK_QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/111122223333/webhooks';
    process.env.FALLBACK_QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/111122223333/fallback';
    expect(await (await load('publish-events'))({ Records: [seal] }, context)).toBeUndefined();
    expect(await (await load('deliver-webhooks'))({ Records: [] }, context)).toEqual({ batchItemFailures: [] });
    expect(await (await load('advance-workflows'))({ Records: [] }, context)).toEqual({ batchItemFailures: [] });
    const pending = { source: 'aws.sms-voice', 'detail-type': 'Text Message Delivery Status Updated', detail: { messageId: 'm', messageStatus: 'PENDING', isFinal: false } };
    expect(await (await load('sms-receipts'))(pending, context)).toEqual({ applied: 0, unmatched: 0, superseded: 0, early: 0, undelivered: 0 });
    // A sender bundled for a stage on SNS carries no End User Messaging client.
    await bundleFunction('issue-otp', join(out, 'issue-otp-sns.mjs'));
    const sns = (await import('node:fs')).readFileSync(join(out, 'issue-otp-sns.mjs'), 'utf8');
    expect(sns).not.toContain('SendTextMessage');
    // ... nor the voice sender, which only a stage with voice builds in (End User Messaging stages).
    expect(sns).not.toContain('SendVoiceMessage');
    await bundleFunction('issue-otp', join(out, 'issue-otp-eum.mjs'), { ...DEFAULT_BUILD, smsProvider: 'eum' });
    expect((await import('node:fs')).readFileSync(join(out, 'issue-otp-eum.mjs'), 'utf8')).not.toContain('SendVoiceMessage');
    await bundleFunction('issue-otp', join(out, 'issue-otp-voice.mjs'), { ...DEFAULT_BUILD, smsProvider: 'eum', voice: true });
    expect((await import('node:fs')).readFileSync(join(out, 'issue-otp-voice.mjs'), 'utf8')).toContain('SendVoiceMessage');
    // Notify's sender only on a notify stage.
    expect(sns).not.toContain('SendNotifyTextMessage');
    await bundleFunction('issue-otp', join(out, 'issue-otp-notify.mjs'), { ...DEFAULT_BUILD, smsProvider: 'eum', notify: true });
    expect((await import('node:fs')).readFileSync(join(out, 'issue-otp-notify.mjs'), 'utf8')).toContain('SendNotifyTextMessage');
    // SES only on a stage with e-mail.
    expect(sns).not.toContain('SendEmailCommand');
    await bundleFunction('issue-otp', join(out, 'issue-otp-email.mjs'), { ...DEFAULT_BUILD, email: true });
    expect((await import('node:fs')).readFileSync(join(out, 'issue-otp-email.mjs'), 'utf8')).toContain('SendEmailCommand');
    // WhatsApp's client likewise, only in a stage that links a number.
    expect(sns).not.toContain('SendWhatsAppMessage');
    await bundleFunction('issue-otp', join(out, 'issue-otp-whatsapp.mjs'), { ...DEFAULT_BUILD, whatsapp: true });
    expect((await import('node:fs')).readFileSync(join(out, 'issue-otp-whatsapp.mjs'), 'utf8')).toContain('SendWhatsAppMessage');
  });

  it('the archiver carries the S3 client only when its stage keeps an archive; the sender never (it writes the archive outbox)', async () => {
    const read = (await import('node:fs')).readFileSync;
    await bundleFunction('archive-messages', join(out, 'archive-messages-plain.mjs'));
    await bundleFunction('archive-messages', join(out, 'archive-messages-archive.mjs'), { ...DEFAULT_BUILD, archive: true });
    await bundleFunction('send-message', join(out, 'send-message-archive.mjs'), { ...DEFAULT_BUILD, archive: true });
    expect(read(join(out, 'archive-messages-plain.mjs'), 'utf8')).not.toContain('ObjectLockRetainUntilDate');
    expect(read(join(out, 'archive-messages-archive.mjs'), 'utf8')).toContain('ObjectLockRetainUntilDate');
    expect(read(join(out, 'send-message-archive.mjs'), 'utf8')).not.toContain('ObjectLockRetainUntilDate');
  });

  it('recipient-page loads and answers an impossible link with the 404 page, holding no key', async () => {
    const file = join(out, 'recipient-page.mjs');
    await bundleFunction('recipient-page', file);
    const { handler } = (await import(pathToFileURL(file).href)) as { handler: (e: unknown, c: unknown) => Promise<{ statusCode: number; headers: Record<string, string>; body: string }> };
    const res = await handler({ httpMethod: 'GET', path: '/m/x', headers: {}, body: null, pathParameters: { token: 'not-a-token' }, requestContext: {} }, context);
    expect(res.statusCode).toBe(404);
    expect(res.headers['Content-Type']).toBe('text/html; charset=utf-8');
    expect(res.body).toContain('Message not found');
  });
});
