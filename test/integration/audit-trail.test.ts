import { DeleteCommand, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { NewAuditEvent } from '#shared/audit/event';
import { LOOKBACK_MS, sealHash, sealMessage, type Seal, type SealStore } from '#shared/audit/seal';
import { sealOnce } from '#shared/audit/sealer';
import { auditTrail, freshTables } from './deps.ts';

/**
 * The sealed audit trail against DynamoDB Local: every way of tampering with events or seals is
 * named by verification, retention is told apart from deletion, late commits land in the next
 * seal, and a sealer that dies part way loses and doubles nothing. Each test has tables of its own.
 */
const DAY = 86_400_000;
const event = (i: number): NewAuditEvent => ({ actor: 'app-a', action: 'consent.change', outcome: `promotional:${i % 2 ? 'opted_in' : 'opted_out'}`, subjectIndex: `idx${i % 3}`, subjectMask: '+4474******56' });

async function sealedWorld(count = 6) {
  const tables = await freshTables('trail');
  const t = auditTrail(tables.Audit);
  for (let i = 0; i < count; i++) await t.items.record(event(i));
  const run = await t.seal();
  expect(run).toMatchObject({ sealed: count, seq: 1 });
  const { events, seals } = await t.all();
  return { tables, t, events: [...events].sort((x, y) => (x.at + x.id < y.at + y.id ? -1 : 1)), seals };
}

/** The stored item of an event (its partition key is the hour and a random shard). */
async function itemOf(t: ReturnType<typeof auditTrail>, table: string, id: string) {
  const { events } = await t.all();
  const e = events.find((x) => x.id === id)!;
  for (let shard = 0; shard < 16; shard++) {
    const Key = { pk: `E#${e.at.slice(0, 13)}#${String(shard).padStart(2, '0')}`, sk: `${e.at}#${e.id}` };
    const out = await t.doc.send(new GetCommand({ TableName: table, Key }));
    if (out.Item) return { Key, Item: out.Item };
  }
  throw new Error('event not found');
}

async function sealItems(t: ReturnType<typeof auditTrail>, table: string) {
  const out = await t.doc.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'SEAL' } }));
  return out.Items ?? [];
}

describe('sealed audit trail (DynamoDB Local)', () => {
  it('seals every event once, verifies intact, and names each event by its seal in listings', async () => {
    const { t } = await sealedWorld(5);
    expect(await t.verify()).toMatchObject({ intact: true, events: 5, seals: 1, unsealed: 0, expired: 0 });
    await t.items.record(event(9));
    expect(await t.verify()).toMatchObject({ intact: true, events: 6, seals: 1, unsealed: 1 });
    expect(await t.seal()).toMatchObject({ sealed: 1, seq: 2 });
    expect(await t.seal()).toEqual({ sealed: 0 });
    expect(await t.verify()).toMatchObject({ intact: true, events: 6, seals: 2, unsealed: 0 });
    expect(await t.archive.seqs()).toEqual([1, 2]);
  });

  it('names an edited sealed event, and is intact again once it is restored', async () => {
    const { t, tables, events } = await sealedWorld();
    const target = events[2]!;
    const { Item } = await itemOf(t, tables.Audit, target.id);
    await t.doc.send(new PutCommand({ TableName: tables.Audit, Item: { ...Item, outcome: 'promotional:opted_in_forged' } }));
    expect(await t.verify()).toMatchObject({ intact: false, brokenAt: target.id, reason: expect.stringContaining('edited') });
    // Editing the stored hash along with the content does not help: the seal names the original hash.
    const { eventHash } = await import('#shared/audit/event');
    const { pk: _p, sk: _s, ttl: _t, hash: _h, ...content } = Item;
    const forged = { ...content, outcome: 'promotional:opted_in_forged' } as Parameters<typeof eventHash>[0];
    await t.doc.send(new PutCommand({ TableName: tables.Audit, Item: { ...Item, ...forged, hash: eventHash(forged) } }));
    expect(await t.verify()).toMatchObject({ intact: false, brokenAt: target.id });
    await t.doc.send(new PutCommand({ TableName: tables.Audit, Item }));
    expect(await t.verify()).toMatchObject({ intact: true });
  });

  it('names a deleted sealed event, and an event inserted into a sealed range', async () => {
    const { t, tables, events } = await sealedWorld();
    const target = events[0]!;
    const { Key, Item } = await itemOf(t, tables.Audit, target.id);
    await t.doc.send(new DeleteCommand({ TableName: tables.Audit, Key }));
    expect(await t.verify()).toMatchObject({ intact: false, brokenAt: target.id, reason: expect.stringContaining('deleted') });
    await t.doc.send(new PutCommand({ TableName: tables.Audit, Item }));

    // An event back-dated before what any sealer run still reads.
    const backdated = auditTrail(tables.Audit, () => Date.now() - LOOKBACK_MS - 60_000);
    await backdated.items.record(event(7));
    const verdict = await t.verify();
    expect(verdict).toMatchObject({ intact: false, reason: expect.stringContaining('inserted') });
    // And the sealer does not launder it into the next seal.
    expect(await t.seal()).toEqual({ sealed: 0 });
  });

  it('names reordered events: entries swapped in a seal, or contents swapped between events', async () => {
    const { t, tables, events } = await sealedWorld();
    const page = { pk: 'SEALPAGE#000000000001', sk: 'P#00000' };
    const original = (await t.doc.send(new GetCommand({ TableName: tables.Audit, Key: page }))).Item!;
    const entries = [...(original.entries as string[])];
    [entries[1], entries[2]] = [entries[2]!, entries[1]!];
    await t.doc.send(new PutCommand({ TableName: tables.Audit, Item: { ...original, entries } }));
    expect(await t.verify()).toMatchObject({ intact: false, brokenAt: 'seal-1' });
    await t.doc.send(new PutCommand({ TableName: tables.Audit, Item: original }));
    expect(await t.verify()).toMatchObject({ intact: true });

    const a = await itemOf(t, tables.Audit, events[1]!.id);
    const b = await itemOf(t, tables.Audit, events[3]!.id);
    await t.doc.send(new PutCommand({ TableName: tables.Audit, Item: { ...b.Item, ...a.Key } }));
    await t.doc.send(new PutCommand({ TableName: tables.Audit, Item: { ...a.Item, ...b.Key } }));
    expect(await t.verify()).toMatchObject({ intact: false, reason: expect.stringContaining('out of its place') });
  });

  it('names an edited seal, a forged seal and a deleted seal', async () => {
    const { t, tables } = await sealedWorld(3);
    await t.items.record(event(4));
    await t.seal();
    await t.items.record(event(5));
    await t.seal();
    const [, second] = await sealItems(t, tables.Audit);

    // Edited: a count changed by someone without the signing key.
    await t.doc.send(new PutCommand({ TableName: tables.Audit, Item: { ...second!, header: { ...second!.header, count: 9 } } }));
    expect(await t.verify()).toMatchObject({ intact: false, brokenAt: 'seal-2', reason: expect.stringContaining('signature') });

    // Forged: re-signed with another key, hash recomputed.
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const header = { ...second!.header, count: 9 } as Seal['header'];
    await t.doc.send(new PutCommand({
      TableName: tables.Audit,
      Item: { ...second!, header, hash: sealHash(header), signature: sign('sha256', sealMessage(header), privateKey).toString('base64') },
    }));
    expect(await t.verify()).toMatchObject({ intact: false, brokenAt: 'seal-2', reason: expect.stringContaining('signature') });
    await t.doc.send(new PutCommand({ TableName: tables.Audit, Item: second! }));
    expect(await t.verify()).toMatchObject({ intact: true, seals: 3 });

    // Deleted in the middle: its retention has not ended.
    await t.doc.send(new DeleteCommand({ TableName: tables.Audit, Key: { pk: 'SEAL', sk: second!.sk } }));
    expect(await t.verify()).toMatchObject({ intact: false, brokenAt: 'seal-2' });
    await t.doc.send(new PutCommand({ TableName: tables.Audit, Item: second! }));
  });

  it('names a deleted tail: the newest seal and its events gone from the table, still in the archive', async () => {
    const { t, tables } = await sealedWorld(3);
    await t.items.record(event(4));
    await t.seal();
    const { seals, events } = await t.all();
    const last = seals.find((s) => s.header.seq === 2)!;
    const items = await sealItems(t, tables.Audit);
    await t.doc.send(new DeleteCommand({ TableName: tables.Audit, Key: { pk: 'SEAL', sk: items.at(-1)!.sk } }));
    const lastEvent = events.find((e) => last.entries.some((x) => x.includes(e.id)))!;
    await t.doc.send(new DeleteCommand({ TableName: tables.Audit, Key: (await itemOf(t, tables.Audit, lastEvent.id)).Key }));
    expect(await t.verify()).toMatchObject({ intact: false, brokenAt: 'seal-2', reason: expect.stringContaining('tail') });
  });

  it('tells retention from deletion: events and seals past their retention may be gone, earlier ones may not', async () => {
    const { t, tables, events } = await sealedWorld(4);
    const { Key } = await itemOf(t, tables.Audit, events[0]!.id);
    await t.doc.send(new DeleteCommand({ TableName: tables.Audit, Key }));
    // As TTL would have it 401 days on: gone by retention, not by hand.
    expect(await t.verify(() => Date.now() + 401 * DAY)).toMatchObject({ intact: true, expired: 1, events: 3 });
    expect(await t.verify()).toMatchObject({ intact: false, brokenAt: events[0]!.id });

    // A whole sealed range expired: seal 1 and its events gone, seal 2 remains.
    await t.items.record(event(8));
    await t.seal();
    const later = () => Date.now() + 402 * DAY;
    const seal1 = (await sealItems(t, tables.Audit))[0]!;
    await t.doc.send(new DeleteCommand({ TableName: tables.Audit, Key: { pk: 'SEAL', sk: seal1.sk } }));
    for (const e of events.slice(1)) await t.doc.send(new DeleteCommand({ TableName: tables.Audit, Key: (await itemOf(t, tables.Audit, e.id)).Key }));
    // The archive's copy of seal 1 has also reached its lifecycle end: only seal 2 is listed there.
    const { rmSync } = await import('node:fs');
    rmSync(`${t.archiveDir}/000000000001.json`);
    expect(await t.verify(later)).toMatchObject({ intact: true, seals: 1, events: 1 });
    expect(await t.verify()).toMatchObject({ intact: false, brokenAt: 'seal-1', reason: expect.stringContaining('retention') });
  });

  it('seals a transaction that commits late in the next seal instead of calling it an insertion', async () => {
    const { t, tables } = await sealedWorld(3);
    // Its `at` was taken before the seal was made; it commits only now.
    const late = auditTrail(tables.Audit, () => Date.now() - 20_000);
    await late.items.record(event(11));
    expect(await t.verify()).toMatchObject({ intact: true, unsealed: 1 });
    expect(await t.seal()).toMatchObject({ sealed: 1, seq: 2 });
    expect(await t.verify()).toMatchObject({ intact: true, events: 4, seals: 2, unsealed: 0 });
  });

  it('a sealer that dies after writing pages, or before archiving, loses and doubles nothing on the next run', async () => {
    const tables = await freshTables('trail');
    const t = auditTrail(tables.Audit);
    for (let i = 0; i < 5; i++) await t.items.record(event(i));

    // Dies after the pages, before the header (the commit).
    const dying: SealStore = {
      latest: () => t.store.latest(),
      sealsSince: (ms) => t.store.sealsSince(ms),
      eventsBetween: (a, b) => t.store.eventsBetween(a, b),
      write: async (seal) => {
        await t.doc.send(new PutCommand({ TableName: tables.Audit, Item: { pk: 'SEALPAGE#000000000001', sk: 'P#00000', entries: seal.entries } }));
        throw new Error('sealer killed');
      },
    };
    await expect(sealOnce({ store: dying, signer: t.signer, archive: t.archive, retentionDays: 400, now: Date.now })).rejects.toThrow('sealer killed');
    await t.items.record(event(5));
    expect(await t.seal()).toMatchObject({ sealed: 6, seq: 1 });

    // Dies after the header, before the archive copy: the next run archives it first.
    await t.items.record(event(6));
    const failingArchive = { ...t.archive, put: async () => Promise.reject(new Error('S3 unavailable')), has: (s: number) => t.archive.has(s), seqs: () => t.archive.seqs() };
    await expect(sealOnce({ store: t.store, signer: t.signer, archive: failingArchive, retentionDays: 400, now: Date.now })).rejects.toThrow('S3 unavailable');
    expect(await t.archive.seqs()).toEqual([1]);
    expect(await t.seal()).toEqual({ sealed: 0 });
    expect(await t.archive.seqs()).toEqual([1, 2]);
    expect(await t.verify()).toMatchObject({ intact: true, events: 7, seals: 2, unsealed: 0 });
  });

  it('two sealers racing for the same seal: one wins, the other writes nothing', async () => {
    const { t } = await sealedWorld(2);
    await t.items.record(event(3));
    const runs = await Promise.all([t.seal(), t.seal(), t.seal()]);
    expect(runs.filter((r) => r.seq === 2)).toHaveLength(1);
    expect(await t.verify()).toMatchObject({ intact: true, events: 3, seals: 2 });
  });
});
