import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HTTP } from 'cloudevents';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verify } from '#shared/webhooks/signature';
import { WEBHOOK_DIRECTORY_TTL_MS } from '#shared/events/webhook-directory';
import { randomUkMobile } from '../support/phones.ts';
import { until } from '../support/until.ts';
import { baseUrl, call, clients, lastCode, tokenFor } from './client.ts';

/** Delivery receipts, the events feed and signed webhooks, over HTTP against the local stack. */
type Delivery = { headers: Record<string, string>; body: string; at: number };

/**
 * A webhook receiver on 127.0.0.1 that refuses the first attempt of every webhook-id with a 500 and
 * takes the next with 204 (other test files' events for the same client may arrive in between).
 */
function receiver() {
  const deliveries: Delivery[] = [];
  const seen = new Set<string>();
  const server: Server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      deliveries.push({ headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])), body, at: Date.now() });
      const id = String(req.headers['webhook-id']);
      res.writeHead(seen.has(id) ? 204 : 500).end();
      seen.add(id);
    });
  });
  return {
    deliveries,
    server,
    listen: () => new Promise<string>((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`))),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}


let a: string;
let b: string;
beforeAll(async () => {
  [a, b] = await Promise.all([tokenFor(clients[0]!), tokenFor(clients[1]!)]);
});

describe('delivery receipts', () => {
  it('an outbox SMS reads sent, then delivered; POST /_local/delivery can fail it with a reason', async () => {
    const to = randomUkMobile();
    const issued = await call('POST', '/v1/otp', { token: a, body: { to } });
    expect(issued.status).toBe(201);
    expect((issued.body.delivery as { status: string }).status).toBe('sent');
    const id = issued.body.verificationId as string;
    const delivered = await until(async () => {
      const v = await call('GET', `/v1/otp/${id}`, { token: a });
      return (v.body.delivery as { status: string }).status === 'delivered' ? v.body.delivery : undefined;
    });
    expect(delivered).toMatchObject({ status: 'delivered', at: expect.any(String) });

    const sent = await call('POST', '/v1/messages', { token: a, body: { to, body: 'Your statement is ready' } });
    expect(sent.status).toBe(201);
    const failed = await fetch(`${baseUrl}/_local/delivery`, { method: 'POST', body: JSON.stringify({ to, status: 'failed' }) });
    expect(failed.status).toBe(200);
    const view = await call('GET', `/v1/messages/${sent.body.messageId as string}`, { token: a });
    expect(view.body).toMatchObject({ delivery: 'sealed', deliveryStatus: { status: 'failed', errorCode: 'unreachable' } });
  });

  it('POST /_local/delivery refuses a bad body and a number never texted', async () => {
    const bad = await fetch(`${baseUrl}/_local/delivery`, { method: 'POST', body: JSON.stringify({ to: 'nope', status: 'delivered' }) });
    expect(bad.status).toBe(400);
    const unknown = await fetch(`${baseUrl}/_local/delivery`, { method: 'POST', body: JSON.stringify({ to: randomUkMobile(), status: 'failed' }) });
    expect(unknown.status).toBe(404);
  });
});

// The webhook belongs to client B: hostile-input.test.ts, running beside this file, fuzzes every
// route (DELETE /v1/webhook included) as client A.
describe('webhooks and the events feed', () => {
  const hook = receiver();
  let url: string;
  beforeAll(async () => {
    url = await hook.listen();
  });
  afterAll(async () => {
    await hook.close();
  });

  it('refuses URLs that are not https or point inside, changing nothing', async () => {
    for (const bad of ['ftp://example.com/x', 'https://10.0.0.5/x', 'https://169.254.169.254/latest', 'https://[::ffff:10.0.0.1]/x', 'https://user:pw@example.com/', 'http://example.com/x', 'https://167772161/', 'https://0x0a.0.0.1/']) {
      const res = await call('PUT', '/v1/webhook', { token: b, body: { url: bad, types: ['*'] } });
      expect(res.status, bad).toBe(400);
      expect(res.body.code).toBe('validation_failed');
    }
    expect((await call('PUT', '/v1/webhook', { token: b, body: { url: 'https://hooks.example.com/x', types: ['verification.nope'] } })).status).toBe(400);
    expect((await call('GET', '/v1/webhook', { token: b })).status).toBe(404);
  });

  it('delivers signed CloudEvents of the owner only, retries a failure with the same webhook-id, and the feed has them', async () => {
    const created = await call('PUT', '/v1/webhook', { token: b, body: { url, types: ['verification.*', 'delivery.*'] } });
    expect(created.status).toBe(200);
    const secret = created.body.secret as string;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const again = await call('PUT', '/v1/webhook', { token: b, body: { url, types: ['verification.*', 'delivery.*'] } });
    expect(again.body.secret).toBeUndefined();
    expect((await call('GET', '/v1/webhook', { token: b })).body).toMatchObject({ url, types: ['verification.*', 'delivery.*'] });
    // The publisher reads saved webhooks at most every WEBHOOK_DIRECTORY_TTL_MS.
    await new Promise((r) => setTimeout(r, WEBHOOK_DIRECTORY_TTL_MS + 500));

    const to = randomUkMobile();
    const issued = await call('POST', '/v1/otp', { token: b, body: { to } });
    const id = issued.body.verificationId as string;
    // Client A's verification must never reach B's webhook.
    const others = (await call('POST', '/v1/otp', { token: a, body: { to: randomUkMobile() } })).body.verificationId as string;
    expect((await call('POST', `/v1/otp/${id}/verify`, { token: b, body: { code: await lastCode(to) } })).status).toBe(200);

    const events = () => hook.deliveries.map((d) => ({ ...d, event: JSON.parse(d.body) as { id: string; type: string; specversion: string; source: string; data: Record<string, string> } }));
    const pending = await until(() => {
      const tries = events().filter((d) => d.event.type === 'verification.pending' && d.event.data.verificationId === id);
      return tries.length >= 2 ? tries : undefined;
    });
    // The first attempt got a 500; the retry carries the same id, a fresh signature, and verifies.
    expect(pending[0]!.headers['webhook-id']).toBe(pending[1]!.headers['webhook-id']);
    expect(pending[0]!.headers['webhook-id']).toBe(`msg_${pending[0]!.event.id}`);
    for (const d of pending) expect(verify(secret, d.headers, d.body, Math.floor(Date.now() / 1000))).toBe(true);
    // As a receiver using the standards' official libraries reads it: Standard Webhooks verifies the
    // signature (and refuses an edited body), the CloudEvents SDK finds the event in structured mode.
    const standard = new Webhook(secret);
    for (const d of pending) expect(standard.verify(d.body, d.headers)).toMatchObject({ id: pending[0]!.event.id, type: 'verification.pending' });
    expect(() => standard.verify(`${pending[1]!.body} `, pending[1]!.headers)).toThrow();
    expect(pending[0]!.headers['content-type']).toBe('application/cloudevents+json; charset=utf-8');
    const ce = HTTP.toEvent({ headers: pending[0]!.headers, body: pending[0]!.body });
    expect(Array.isArray(ce)).toBe(false);
    expect(ce).toMatchObject({ specversion: '1.0', id: pending[0]!.event.id, type: 'verification.pending', source: 'sealtext', data: { verificationId: id } });
    expect(verify(secret, { ...pending[1]!.headers }, `${pending[1]!.body} `, Math.floor(Date.now() / 1000))).toBe(false);
    expect(pending[0]!.event).toMatchObject({ specversion: '1.0', source: 'sealtext', data: { verificationId: id, to: `${to.slice(0, 5)}******${to.slice(-2)}` } });

    const approved = await until(() => events().find((d) => d.event.type === 'verification.approved' && d.event.data.verificationId === id));
    expect(approved.event.data.to).toBe(`${to.slice(0, 5)}******${to.slice(-2)}`);
    await until(() => events().find((d) => d.event.type === 'delivery.delivered' && d.event.data.verificationId === id));
    for (const d of events()) {
      expect(d.body).not.toContain(to.slice(1));
      expect(['verification', 'delivery']).toContain(d.event.type.split('.')[0]);
    }
    // Other test files' events of client B may arrive here too; client A's never.
    expect(events().some((d) => d.event.data.verificationId === others)).toBe(false);
    expect(events().some((d) => d.event.data.verificationId === id)).toBe(true);

    // The same events in the feed, after the settle window, read page by page as a poller would
    // (other files' events of B are there too); A's feed has none of them.
    type Ev = { type: string; data: Record<string, string> };
    const readAll = async (token: string, query: string) => {
      const all: Ev[] = [];
      for (let after = ''; ;) {
        const page = await call('GET', `/v1/events?limit=100${query}${after ? `&after=${after}` : ''}`, { token });
        expect(page.status).toBe(200);
        all.push(...(page.body.events as Ev[]));
        if (!(page.body.events as Ev[]).length) return { all };
        after = page.body.nextCursor as string;
      }
    };
    const mine: Ev[] = [];
    await until(async () => {
      const read = await readAll(b, '&types=verification.*');
      mine.splice(0, mine.length, ...read.all.filter((e) => e.data.verificationId === id));
      return mine.length >= 2 ? true : undefined;
    }, 30_000);
    expect(mine.map((e) => e.type)).toEqual(['verification.pending', 'verification.approved']);
    expect((await readAll(a, '')).all.some((e) => e.data.verificationId === id)).toBe(false);
  }, 60_000);

  it('rotates the secret (shown once), deletes, and refuses bad cursors and types', async () => {
    const rotated = await call('POST', '/v1/webhook/rotate-secret', { token: b, body: {} });
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect((await call('GET', '/v1/webhook', { token: b })).body.secret).toBeUndefined();
    expect((await call('DELETE', '/v1/webhook', { token: b })).body).toEqual({ status: 'deleted' });
    expect((await call('DELETE', '/v1/webhook', { token: b })).status).toBe(404);
    expect((await call('POST', '/v1/webhook/rotate-secret', { token: b, body: {} })).status).toBe(404);
    expect((await call('GET', '/v1/events?after=bm9wZQ', { token: a })).status).toBe(400);
    expect((await call('GET', '/v1/events?types=nope.*', { token: a })).status).toBe(400);
  });
});
