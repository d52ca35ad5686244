import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { describe, expect, inject, it } from 'vitest';
import { LocalMessageArchive } from '#shared/adapters/archive/message-archives';
import { archiveStreamBatch, DynamoArchiveOutbox } from '#shared/adapters/store/archive-outbox-store';
import { consentKey } from '#shared/adapters/store/consent-guard';
import { hmac } from '#shared/crypto/hmac';
import { readArchived, type ArchivedMessage } from '#shared/messages/archive';
import { SendMessageRequest } from '#shared/messages/schemas';
import { sendMessage } from '#shared/messages/send';
import { startStreamPoller } from '../../infra/local/events.ts';
import { randomUkMobile } from '../support/phones.ts';
import { dynamoMessageDeps, freshTables } from './deps.ts';

/**
 * The retention archive's outbox on DynamoDB Local: the archived copy commits with its send (or not
 * at all), and the stream hands it to the archiver, which retries a failed copy from where it failed.
 */
async function world() {
  const tables = await freshTables('archive');
  const ctx = dynamoMessageDeps(tables);
  ctx.deps.archivePolicy = { categories: ['transactional'], retentionDays: 30 };
  const outbox = new DynamoArchiveOutbox(ctx.doc, tables.ArchiveOutbox);
  const waiting = async (id: string) => (await ctx.doc.send(new GetCommand({ TableName: tables.ArchiveOutbox, Key: { messageId: id }, ConsistentRead: true }))).Item;
  const send = (to: string, body: Record<string, unknown> = {}) => sendMessage(ctx.deps, 'app-a', SendMessageRequest.parse({ to, body: 'Loan agreement 77', ...body }));
  return { tables, ctx, outbox, waiting, send };
}

describe('retention archive outbox on DynamoDB Local', () => {
  it('commits the sealed copy with the send, with the retention as its TTL; a refused send leaves none, an unarchived category none', async () => {
    const w = await world();
    const to = randomUkMobile();
    const sent = await w.send(to);
    const item = (await w.waiting(sent.messageId))!;
    expect(item).toMatchObject({ messageId: sent.messageId, clientId: 'app-a', toMask: `${to.slice(0, 5)}******${to.slice(-2)}` });
    expect(item.ttl).toBe(Math.ceil((item.until as number) / 1000));
    expect(Math.round(((item.until as number) - (item.sentAt as number)) / 86_400_000)).toBe(30);
    expect(JSON.stringify(item)).not.toMatch(new RegExp(`Loan agreement|${to.slice(1)}`));

    const optedOut = randomUkMobile();
    await w.ctx.doc.send(new PutCommand({ TableName: w.tables.Data, Item: { ...consentKey(hmac(w.ctx.deps.keys.blindIndexKey, 'phone', optedOut)), optedOutAll: true } }));
    await expect(w.send(optedOut)).rejects.toMatchObject({ code: 'recipient_opted_out' });
    const promotional = await w.ctx.doc.send(new PutCommand({ TableName: w.tables.Data, Item: { ...consentKey(hmac(w.ctx.deps.keys.blindIndexKey, 'phone', to)), promotional: 'opted_in', optedOutAll: false } }))
      .then(() => w.send(to, { category: 'promotional' }));
    expect(await w.waiting(promotional.messageId)).toBeUndefined();
  });

  it('the stream hands each copy to the archiver; a failing archive keeps it in the outbox and it is retried from there, later copies included', async () => {
    const w = await world();
    const archive = new LocalMessageArchive(mkdtempSync(join(tmpdir(), 'archive-')));
    let down = true;
    const flaky = { put: (r: ArchivedMessage) => (down ? Promise.reject(new Error('S3 unavailable')) : archive.put(r)), get: (id: string) => archive.get(id) };
    let attempts = 0;
    const tracked = { put: (r: ArchivedMessage) => (attempts++, flaky.put(r)), get: (id: string) => flaky.get(id) };
    // What functions/archive-messages.ts answers: the first failed record, for Lambda to resume from.
    const archiver = async (event: DynamoDBStreamEvent) => {
      const { failed } = await archiveStreamBatch({ archive: tracked, outbox: w.outbox }, event.Records);
      return { batchItemFailures: failed ? [{ itemIdentifier: failed.sequenceNumber }] : [] };
    };
    const poller = startStreamPoller(inject('dynamoEndpoint'), w.tables.ArchiveOutbox, 'archive-messages', archiver as never, 50);
    await poller.ready;
    try {
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push((await w.send(randomUkMobile())).messageId);
      const until = async (done: () => Promise<boolean>) => {
        for (let i = 0; i < 100 && !(await done()); i++) await new Promise((r) => setTimeout(r, 50));
      };
      await until(async () => attempts >= 3);
      // Down: every copy still waits in the outbox, and the reader finds it there.
      for (const id of ids) expect(await w.waiting(id)).toBeDefined();
      const deps = { archive: flaky, outbox: w.outbox, envelope: w.ctx.deps.envelope, audit: w.ctx.deps.audit, now: () => w.ctx.clock.now };
      expect((await readArchived(deps, 'app-a', ids[0]!, 'complaint 1')).body).toBe('Loan agreement 77');
      down = false;
      await until(async () => (await Promise.all(ids.map((id) => w.waiting(id)))).every((item) => item === undefined));
      for (const id of ids) {
        expect(await w.waiting(id)).toBeUndefined();
        expect(await archive.get(id)).toMatchObject({ messageId: id });
      }
      expect((await readArchived(deps, 'app-a', ids[2]!, 'complaint 2')).body).toBe('Loan agreement 77');
    } finally {
      await poller.stop();
    }
  });
});
