import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { localDynamoClient } from '../../infra/local/dynamodb.ts';
import { LOCAL_TABLE_NAMES } from '../../infra/local/layout.ts';
import { randomUkMobile } from '../support/phones.ts';
import { baseUrl, call, clients, outbox, tokenFor } from './client.ts';

/** The retention archive on the local stack (transactional messages, 30 days): read with a reason, audited. */
let a: string;
let b: string;
beforeAll(async () => {
  [a, b] = await Promise.all([tokenFor(clients[0]!), tokenFor(clients[1]!)]);
});

describe('retention archive', () => {
  it('keeps a burned message for its retention, reads it with a reason (audited), 404 for another client, and survives erasure', async () => {
    const to = randomUkMobile();
    const sent = await call('POST', '/v1/messages', { token: a, body: { to, body: 'Loan agreement 77: signed copy attached', brand: 'Acme Bank' } });
    expect(sent.status).toBe(201);
    const id = sent.body.messageId as string;
    // The recipient reads it; burn-after-read removes the live copy only.
    const path = new URL((await outbox(to)).at(-1)!.text.match(/(http:\/\/\S+\/m\/[\w-]{43})/)![1]!).pathname;
    await fetch(`${baseUrl}${path}/code`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    const code = (await outbox(to)).at(-1)!.text.match(/\b(\d{6})\b/)![1]!;
    expect((await fetch(`${baseUrl}${path}/open`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ code }) })).status).toBe(200);

    const read = await call('GET', `/v1/archive/messages/${id}?reason=${encodeURIComponent('Complaint 4411: customer disputes the terms')}`, { token: a });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ messageId: id, body: 'Loan agreement 77: signed copy attached', to: `${to.slice(0, 5)}******${to.slice(-2)}` });
    const until = Date.parse(read.body.archivedUntil as string) - Date.parse(read.body.sentAt as string);
    expect(Math.round(until / 86_400_000)).toBe(30);

    expect((await call('GET', `/v1/archive/messages/${id}?reason=${encodeURIComponent('curious about it')}`, { token: b })).status).toBe(404);
    expect((await call('GET', `/v1/archive/messages/${id}?reason=no`, { token: a })).status).toBe(400);
    expect((await call('GET', `/v1/archive/messages/${id}`, { token: a })).status).toBe(400);

    const audit = await call('GET', `/v1/audit?to=${encodeURIComponent(to)}`, { token: a });
    const reads = (audit.body.events as { action: string; outcome: string }[]).filter((e) => e.action === 'archive.read');
    expect(reads.map((e) => e.outcome)).toEqual(['reason:Complaint 4411: customer disputes the terms']);

    const erased = await call('DELETE', `/v1/subjects/${encodeURIComponent(to)}`, { token: a });
    expect(erased.body.retained).toEqual([{ messageId: id, until: read.body.archivedUntil }]);
    expect((await call('GET', `/v1/archive/messages/${id}?reason=${encodeURIComponent('Complaint 4411 follow-up')}`, { token: a })).status).toBe(200);
  });

  it('commits every transactional message\'s copy with its send (the local policy); the archiver moves it into the archive and empties the outbox', async () => {
    const to = randomUkMobile();
    const sent = await call('POST', '/v1/messages', { token: a, body: { to, body: 'Your statement is ready' } });
    expect(sent.status).toBe(201);
    const id = sent.body.messageId as string;
    // Readable at once, wherever the copy is at that moment (outbox or archive).
    expect((await call('GET', `/v1/archive/messages/${id}?reason=${encodeURIComponent('audit sample check')}`, { token: a })).status).toBe(200);
    const file = join(inject('localDir'), 'archive', 'messages', `${id}.json`);
    const dynamo = localDynamoClient(inject('stackDynamoEndpoint'));
    const waiting = async () => (await dynamo.send(new GetItemCommand({ TableName: LOCAL_TABLE_NAMES.ArchiveOutbox, Key: { messageId: { S: id } }, ConsistentRead: true }))).Item;
    for (let i = 0; i < 50 && (!existsSync(file) || (await waiting())); i++) await new Promise((r) => setTimeout(r, 100));
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ messageId: id, toMask: `${to.slice(0, 5)}******${to.slice(-2)}` });
    expect(readFileSync(file, 'utf8')).not.toContain('statement');
    expect(await waiting()).toBeUndefined();
    dynamo.destroy();
    expect((await call('GET', `/v1/archive/messages/${id}?reason=${encodeURIComponent('audit sample check')}`, { token: a })).body).toMatchObject({ body: 'Your statement is ready' });
  });
});
