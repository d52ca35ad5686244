import { beforeAll, describe, expect, it } from 'vitest';
import { randomUkMobile } from '../support/phones.ts';
import { call, clients, tokenFor } from './client.ts';

/** Ops' routes on blocks over HTTP: scope, validation, block and lift, the effect on sends, the audit trail. */
let ops: string;
beforeAll(async () => {
  ops = await tokenFor(clients[0]!);
});

describe('/v1/fraud/blocks', () => {
  it('needs p2a/fraud.manage', async () => {
    const other = await tokenFor(clients[0]!, 'p2a/otp.send');
    expect((await call('GET', '/v1/fraud/blocks', { token: other })).status).toBe(403);
    expect((await call('GET', '/v1/fraud/blocks')).status).toBe(401);
  });

  it('refuses a full number, a bad kind or key, and unknown fields, changing nothing', async () => {
    const before = (await call('GET', '/v1/fraud/blocks', { token: ops })).body;
    for (const body of [
      { kind: 'prefix', key: '447400123456', hours: 1, reason: 'full number' },
      { kind: 'prefix', key: '44x7', hours: 1, reason: 'letters' },
      { kind: 'country', key: 'gb', hours: 1, reason: 'lower case' },
      { kind: 'region', key: 'GB', hours: 1, reason: 'unknown kind' },
      { kind: 'country', key: 'GB', hours: 0, reason: 'no time' },
      { kind: 'country', key: 'GB', hours: 1, reason: 'x', extra: true },
    ]) {
      const r = await call('PUT', '/v1/fraud/blocks', { token: ops, body });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.code).toBe('validation_failed');
      expect(r.text).not.toContain('447400123456');
    }
    expect((await call('GET', '/v1/fraud/blocks', { token: ops })).body).toEqual(before);
  });

  it('blocks a range by hand: its sends are refused 403 prefix_blocked, the block is listed and audited, lifting restores them', async () => {
    const from = new Date(Date.now() - 1000).toISOString();
    // A range no other test's random numbers (+4474… to +4478…) fall into.
    const put = await call('PUT', '/v1/fraud/blocks', { token: ops, body: { kind: 'prefix', key: '4479601', hours: 2, reason: 'carrier fraud report' } });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ kind: 'prefix', key: '4479601', reason: 'carrier fraud report' });
    const list = (await call('GET', '/v1/fraud/blocks', { token: ops })).body.blocks as { kind: string; key: string }[];
    expect(list).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'prefix', key: '4479601' })]));

    const inRange = await call('POST', '/v1/otp', { token: ops, body: { to: '+447960100123' } });
    expect(inRange.status).toBe(403);
    expect(inRange.body).toMatchObject({ code: 'destination_not_allowed', reason: 'prefix_blocked' });
    expect((await call('POST', '/v1/otp', { token: ops, body: { to: randomUkMobile() } })).status).toBe(201);

    const lifted = await call('DELETE', '/v1/fraud/blocks/prefix/4479601', { token: ops });
    expect(lifted.body).toEqual({ kind: 'prefix', key: '4479601', status: 'lifted' });
    expect((await call('DELETE', '/v1/fraud/blocks/prefix/4479601', { token: ops })).status).toBe(404);
    expect((await call('POST', '/v1/otp', { token: ops, body: { to: '+447960100124' } })).status).toBe(201);

    const audit: { action: string; outcome: string; actor: string }[] = [];
    for (let cursor: string | undefined, page = 0; page === 0 || cursor; page++) {
      const r = await call('GET', `/v1/audit?from=${encodeURIComponent(from)}&limit=200${cursor ? `&cursor=${cursor}` : ''}`, { token: ops });
      audit.push(...(r.body.events as typeof audit));
      cursor = r.body.nextCursor as string | undefined;
    }
    expect(audit.filter((e) => e.action.startsWith('fraud.')).map((e) => `${e.actor}:${e.action}:${e.outcome}`)).toEqual(expect.arrayContaining([
      `${clients[0]!.clientId}:fraud.block:prefix:4479601`, `${clients[0]!.clientId}:fraud.unblock:prefix:4479601`,
    ]));
  });

  it('pauses a whole country only by hand, answered country_paused, and lifts it', async () => {
    expect((await call('PUT', '/v1/fraud/blocks', { token: ops, body: { kind: 'country', key: 'IE', hours: 1, reason: 'incident 42' } })).status).toBe(200);
    const paused = await call('POST', '/v1/otp', { token: ops, body: { to: '+353861234567' } });
    expect(paused.body).toMatchObject({ status: 403, reason: 'country_paused' });
    expect((await call('DELETE', '/v1/fraud/blocks/country/IE', { token: ops })).status).toBe(200);
    expect((await call('POST', '/v1/otp', { token: ops, body: { to: '+353861234568' } })).status).toBe(201);
    expect((await call('DELETE', '/v1/fraud/blocks/region/IE', { token: ops })).status).toBe(404);
  });
});
