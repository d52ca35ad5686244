import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '#shared/audit/event';
import { deliveryView, UNKNOWN_AFTER_MS } from '#shared/delivery/receipt';
import { fromEumEvent, fromSnsDeliveryLog, snsErrorCode } from '#shared/delivery/provider-receipts';
import { matchesTypes, toCloudEvent } from '#shared/events/cloud-event';
import { encodeCursor, listEvents, SETTLE_MS, type EventFeedReader, type FeedItem } from '#shared/events/feed';
import { publishEvents, type FeedEntry, type WebhookJob } from '#shared/events/publish';
import { deliverBatch, deliverWebhook, PER_CLIENT_IN_FLIGHT, webhookId } from '#shared/webhooks/deliver';
import type { Webhook } from '#shared/webhooks/webhook';
import { verify } from '#shared/webhooks/signature';
import { Envelope } from '#shared/crypto/envelope';
import { MemoryKeyWrapper } from '../support/fake-otp-deps.ts';

const at = '2026-11-23T10:00:00.000Z';
const audit = (e: Partial<AuditEvent> & Pick<AuditEvent, 'action' | 'outcome' | 'actor'>): AuditEvent => ({ id: `ev${Math.random().toString(36).slice(2, 10)}`, at, hash: 'h', ...e });
const VID = 'A'.repeat(22) + 'GB' + 'tagtagta';

describe('CloudEvents from audit events', () => {
  it('maps committed actions to the contract types, for the owner, with masked numbers only', () => {
    const cases: [Partial<AuditEvent> & Pick<AuditEvent, 'action' | 'outcome' | 'actor'>, string | undefined][] = [
      [{ actor: 'acme', action: 'otp.issue', outcome: 'pending' }, 'verification.pending'],
      [{ actor: 'acme', action: 'otp.verify', outcome: 'approved' }, 'verification.approved'],
      [{ actor: 'acme', action: 'otp.verify', outcome: 'invalid_code' }, undefined],
      [{ actor: 'acme', action: 'otp.verify', outcome: 'max_attempts_reached' }, 'verification.max_attempts_reached'],
      [{ actor: 'acme', action: 'otp.verify', outcome: 'closed:max_attempts_reached' }, undefined],
      [{ actor: 'acme', action: 'otp.cancel', outcome: 'canceled' }, 'verification.canceled'],
      [{ actor: 'system', action: 'otp.expired', outcome: 'expired', owner: 'acme' }, 'verification.expired'],
      [{ actor: 'acme', action: 'otp.failed', outcome: 'delivery_failed' }, 'verification.failed'],
      [{ actor: 'acme', action: 'message.send', outcome: 'sent' }, 'message.sent'],
      [{ actor: 'recipient', action: 'message.open', outcome: 'opened_burned', owner: 'acme' }, 'message.opened'],
      [{ actor: 'recipient', action: 'message.open', outcome: 'invalid_code', owner: 'acme' }, undefined],
      [{ actor: 'recipient', action: 'message.expired', outcome: 'observed', owner: 'acme' }, undefined],
      [{ actor: 'system', action: 'message.expired', outcome: 'expired', owner: 'acme' }, 'message.expired'],
      [{ actor: 'acme', action: 'message.revoke', outcome: 'revoked' }, 'message.revoked'],
      [{ actor: 'system', action: 'delivery.receipt', outcome: 'failed:unreachable', owner: 'acme' }, 'delivery.failed'],
      [{ actor: 'acme', action: 'send.refused', outcome: 'recipient_opted_out' }, undefined],
      [{ actor: 'acme', action: 'subject.export', outcome: 'items:3' }, undefined],
      [{ actor: 'recipient', action: 'message.code', outcome: 'sent', owner: 'acme' }, undefined],
    ];
    for (const [e, type] of cases) {
      const out = toCloudEvent(audit({ ...e, resource: VID, subjectMask: '+4474******56', subjectIndex: 'idx' }));
      expect(out?.event.type, `${e.action} ${e.outcome}`).toBe(type);
      if (out) {
        expect(out.audience).toEqual({ client: 'acme' });
        expect(out.event).toMatchObject({ specversion: '1.0', source: 'sealtext', time: at, datacontenttype: 'application/json' });
        expect(JSON.stringify(out.event)).not.toContain('idx');
      }
    }
  });

  it('sends consent and inbound events to the scope holders, and names inbound senders as `from`', () => {
    const consent = toCloudEvent(audit({ actor: 'acme', action: 'consent.change', outcome: 'promotional:opted_out', subjectMask: '+4474******56' }));
    expect(consent).toMatchObject({ audience: { scope: 'p2a/consent.read' }, event: { type: 'consent.changed', data: { to: '+4474******56', category: 'promotional', status: 'opted_out' } } });
    const inbound = toCloudEvent(audit({ actor: 'recipient', action: 'inbound.receive', outcome: 'stored', subjectMask: '+4474******56', resource: 'in-1' }));
    expect(inbound).toMatchObject({ audience: { scope: 'p2a/inbound.read' }, event: { type: 'inbound.received', data: { inboundId: 'in-1', from: '+4474******56' } } });
  });

  it('names a receipt\'s resource by its kind, and takes the mask it is given when the event has none', () => {
    const receipt = toCloudEvent(audit({ actor: 'system', action: 'delivery.receipt', outcome: 'delivered', owner: 'acme', resource: 'm'.repeat(22) }));
    // A trail from before 1.2 names no channel: SMS.
    expect(receipt?.event.data).toEqual({ messageId: 'm'.repeat(22), channel: 'sms' });
    // API 1.2: every receipt says its channel; e-mail consent says it is e-mail's.
    expect(toCloudEvent(audit({ actor: 'system', action: 'delivery.receipt', outcome: 'failed:bounced:email', owner: 'acme', resource: 'm'.repeat(22) }))?.event)
      .toMatchObject({ type: 'delivery.failed', data: { messageId: 'm'.repeat(22), errorCode: 'bounced', channel: 'email' } });
    expect(toCloudEvent(audit({ actor: 'system', action: 'delivery.receipt', outcome: 'delivered::whatsapp', owner: 'acme', resource: 'm'.repeat(22) }))?.event)
      .toMatchObject({ type: 'delivery.delivered', data: { channel: 'whatsapp' } });
    expect(toCloudEvent(audit({ actor: 'recipient', action: 'consent.change', outcome: 'email:promotional:opted_out', subjectMask: 'a***@example.com' }))?.event.data)
      .toEqual({ channel: 'email', category: 'promotional', status: 'opted_out', to: 'a***@example.com' });
    const approved = toCloudEvent(audit({ actor: 'acme', action: 'otp.verify', outcome: 'approved', resource: VID }), '+4474******99');
    expect(approved?.event.data).toEqual({ verificationId: VID, to: '+4474******99' });
  });

  it('matches type patterns', () => {
    expect(matchesTypes('verification.approved', ['verification.*'])).toBe(true);
    expect(matchesTypes('delivery.failed', ['verification.*', 'delivery.failed'])).toBe(true);
    expect(matchesTypes('delivery.delivered', ['delivery.failed'])).toBe(false);
    expect(matchesTypes('message.sent', ['*'])).toBe(true);
    expect(matchesTypes('message.sent', ['messages.*'])).toBe(false);
  });
});

describe('provider receipts', () => {
  it('reads SNS delivery status log lines, never their number', () => {
    const line = (status: string, providerResponse: string) => JSON.stringify({
      notification: { messageId: 'sns-1', timestamp: '2026-11-23 10:00:01.234' },
      delivery: { destination: '+447400123456', providerResponse, priceInUSD: 0.04 },
      status,
    });
    expect(fromSnsDeliveryLog(line('SUCCESS', 'Message has been accepted by phone carrier'))).toEqual({ smsId: 'sns-1', status: 'delivered', at: Date.parse('2026-11-23T10:00:01.234Z'), channel: 'sms' });
    const failed = fromSnsDeliveryLog(line('FAILURE', 'Phone carrier has blocked this message'));
    expect(failed).toMatchObject({ status: 'failed', errorCode: 'carrier_blocked' });
    expect(JSON.stringify(failed)).not.toContain('447400123456');
    expect(fromSnsDeliveryLog('not json')).toBeUndefined();
    expect(fromSnsDeliveryLog('{}')).toBeUndefined();
    expect(snsErrorCode('Phone is currently unreachable/unavailable')).toBe('unreachable');
    expect(snsErrorCode('Something new')).toBe('provider_error');
  });

  it('reads End User Messaging events: final statuses only', () => {
    const event = (messageStatus: string, isFinal = true) => ({ source: 'aws.sms-voice', 'detail-type': 'Text Message Delivery Status Updated', detail: { messageId: 'eum-1', messageStatus, isFinal, eventTimestamp: 1_763_892_000_000, destinationPhoneNumber: '+14255550156' } });
    expect(fromEumEvent(event('DELIVERED'))).toEqual({ smsId: 'eum-1', status: 'delivered', at: 1_763_892_000_000, channel: 'sms' });
    // With our Context: the reference comes along, and the first non-final word reads as sent.
    const withRef = (messageStatus: string, isFinal: boolean) => ({ ...event(messageStatus, isFinal), detail: { ...event(messageStatus, isFinal).detail, context: { sealtextRef: 'otp:v1:2' } } });
    expect(fromEumEvent(withRef('DELIVERED', true))).toEqual({ smsId: 'eum-1', ref: 'otp:v1:2', status: 'delivered', at: 1_763_892_000_000, channel: 'sms' });
    expect(fromEumEvent(withRef('PENDING', false))).toEqual({ smsId: 'eum-1', ref: 'otp:v1:2', status: 'sent', at: 1_763_892_000_000, channel: 'sms' });
    expect(fromEumEvent(event('PENDING', false))).toBeUndefined();
    expect(fromEumEvent(event('SUCCESSFUL'))?.status).toBe('delivered');
    expect(fromEumEvent(event('CARRIER_UNREACHABLE'))).toMatchObject({ status: 'failed', errorCode: 'carrier_unreachable' });
    expect(fromEumEvent(event('PENDING', false))).toBeUndefined();
    expect(fromEumEvent(event('UNKNOWN'))).toBeUndefined();
    expect(fromEumEvent({ ...event('DELIVERED'), source: 'aws.other' })).toBeUndefined();
  });

  it('reads `unknown` by the server clock 72 hours after sending with no final receipt', () => {
    const sentAt = Date.parse(at);
    expect(deliveryView({ status: 'sent', at: sentAt }, sentAt, sentAt + UNKNOWN_AFTER_MS - 1).status).toBe('sent');
    expect(deliveryView({ status: 'sent', at: sentAt }, sentAt, sentAt + UNKNOWN_AFTER_MS).status).toBe('unknown');
    expect(deliveryView({ status: 'delivered', at: sentAt }, sentAt, sentAt + 10 * UNKNOWN_AFTER_MS).status).toBe('delivered');
    expect(deliveryView({ status: 'failed', at: sentAt, errorCode: 'unreachable' }, sentAt, sentAt)).toEqual({ status: 'failed', at, errorCode: 'unreachable' });
    expect(deliveryView(undefined, sentAt, sentAt)).toEqual({ status: 'sent', at });
  });
});

describe('publishing', () => {
  it('puts events on the bus, queues webhook jobs per matching webhook, and writes the feed last', async () => {
    const calls: string[] = [];
    const jobs: WebhookJob[] = [];
    let feed: readonly FeedEntry[] = [];
    await publishEvents({
      bus: { put: async () => void calls.push('bus') },
      queue: { enqueue: async (j) => void (calls.push('queue'), jobs.push(...j)) },
      feed: { append: async (entries) => void (calls.push('feed'), (feed = entries)) },
      webhooks: { targets: async (a) => ('client' in a && a.client === 'acme' ? [{ clientId: 'acme', types: ['verification.*'] }] : []) },
      clients: { scopesOf: async () => new Set<string>() },
      masks: { maskOf: async () => '+4474******56' }, fallback: { schedule: async () => undefined },
      now: () => Date.parse(at),
    }, [
      audit({ actor: 'acme', action: 'otp.issue', outcome: 'pending', resource: VID, subjectMask: '+4474******56' }),
      audit({ actor: 'acme', action: 'message.send', outcome: 'sent', resource: 'm'.repeat(22) }),
      audit({ actor: 'globex', action: 'otp.issue', outcome: 'pending', resource: VID }),
      audit({ actor: 'acme', action: 'subject.export', outcome: 'items:1' }),
    ]);
    expect(calls).toEqual(['bus', 'queue', 'feed']);
    expect(jobs.map((j) => [j.clientId, j.event.type])).toEqual([['acme', 'verification.pending']]);
    expect(feed.map((f) => f.audience)).toEqual([{ client: 'acme' }, { client: 'acme' }, { client: 'globex' }]);
  });

  it('checks each webhook\'s client as it is now: a deleted app or a withdrawn scope gets nothing more', async () => {
    const jobs: WebhookJob[] = [];
    // Saved while each client held p2a/consent.read; the snapshot says so, the directory says what holds today.
    const saved = [
      { clientId: 'acme', types: ['*'], scopes: ['p2a/consent.read'] },
      { clientId: 'globex', types: ['*'], scopes: ['p2a/consent.read'] },
      { clientId: 'gone', types: ['*'], scopes: ['p2a/consent.read'] },
    ];
    const today = new Map<string, Set<string>>([['acme', new Set(['p2a/consent.read'])], ['globex', new Set(['p2a/otp.send'])]]);
    const asked: string[] = [];
    await publishEvents({
      bus: { put: async () => undefined },
      queue: { enqueue: async (j) => void jobs.push(...j) },
      feed: { append: async () => undefined },
      webhooks: { targets: async (a) => ('scope' in a ? saved : saved.filter((w) => w.clientId === a.client)) },
      clients: { scopesOf: async (c) => (asked.push(c), today.get(c)) },
      masks: { maskOf: async () => undefined }, fallback: { schedule: async () => undefined },
      now: () => Date.parse(at),
    }, [
      audit({ actor: 'recipient', action: 'consent.change', outcome: 'all:opted_out', subjectMask: '+4474******56' }),
      audit({ actor: 'gone', action: 'otp.issue', outcome: 'pending', resource: VID }),
      audit({ actor: 'globex', action: 'otp.issue', outcome: 'pending', resource: VID }),
    ]);
    expect(jobs.map((j) => [j.clientId, j.event.type])).toEqual([['acme', 'consent.changed'], ['globex', 'verification.pending']]);
    // Each client looked up once per batch.
    expect(asked.sort()).toEqual(['acme', 'globex', 'gone']);
  });
});

describe('the events feed', () => {
  const event = (n: number, type = 'verification.pending') => ({ specversion: '1.0', id: `e${n}`, type, source: 'sealtext', time: at, datacontenttype: 'application/json', data: {} }) as FeedItem['event'];
  const now = Date.parse('2026-11-23T12:00:00.000Z');
  const pos = (s: number) => `${new Date(now - 60_000 + s * 1000).toISOString()}#0000#e${s}`;
  const reader = (byAudience: Record<string, FeedItem[]>): EventFeedReader => ({
    async slice(audience, after, until, limit) {
      const all = (byAudience[audience] ?? []).filter((i) => i.position > after);
      const page = all.slice(0, limit).filter((i) => i.position < until);
      return { items: page, more: all.length > limit && page.length === limit };
    },
  });

  it('merges the client\'s feed with the scopes it holds, in order, and pages with a cursor', async () => {
    const feed = reader({
      'client:acme': [1, 3, 5].map((s) => ({ position: pos(s), event: event(s) })),
      'scope:p2a/consent.read': [2, 4].map((s) => ({ position: pos(s), event: event(s, 'consent.changed') })),
      'client:globex': [6].map((s) => ({ position: pos(s), event: event(s) })),
    });
    const caller = { clientId: 'acme', scopes: new Set(['p2a/events.read', 'p2a/consent.read']) };
    const first = await listEvents({ feed, now: () => now }, caller, { limit: 3 });
    expect(first.events.map((e) => e.id)).toEqual(['e1', 'e2', 'e3']);
    const second = await listEvents({ feed, now: () => now }, caller, { limit: 3, after: first.nextCursor });
    expect(second.events.map((e) => e.id)).toEqual(['e4', 'e5']);
    const polled = await listEvents({ feed, now: () => now }, caller, { limit: 3, after: second.nextCursor });
    expect(polled.events).toEqual([]);
    const without = await listEvents({ feed, now: () => now }, { clientId: 'acme', scopes: new Set(['p2a/events.read']) }, { limit: 10, types: ['consent.*', 'verification.*'] });
    expect(without.events.map((e) => e.id)).toEqual(['e1', 'e3', 'e5']);
  });

  it('never hands out a cursor past events still settling', async () => {
    const recent = { position: `${new Date(now - SETTLE_MS / 2).toISOString()}#0000#e9`, event: event(9) };
    const feed = reader({ 'client:acme': [{ position: pos(1), event: event(1) }, recent] });
    const page = await listEvents({ feed, now: () => now }, { clientId: 'acme', scopes: new Set() }, { limit: 10 });
    expect(page.events.map((e) => e.id)).toEqual(['e1']);
    const later = await listEvents({ feed, now: () => now + SETTLE_MS }, { clientId: 'acme', scopes: new Set() }, { limit: 10, after: page.nextCursor });
    expect(later.events.map((e) => e.id)).toEqual(['e9']);
    await expect(listEvents({ feed, now: () => now }, { clientId: 'acme', scopes: new Set() }, { limit: 10, after: encodeCursor('nope') })).rejects.toMatchObject({ code: 'validation_failed' });
  });
});

describe('one webhook delivery attempt', () => {
  const envelope = new Envelope(new MemoryKeyWrapper());
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const job: WebhookJob = { clientId: 'acme', event: { specversion: '1.0', id: 'ev1', type: 'verification.approved', source: 'sealtext', time: at, datacontenttype: 'application/json', data: { verificationId: VID } } };
  const webhook = async (types = ['verification.*']): Promise<Webhook> => ({
    clientId: 'acme', url: 'https://hooks.example.com/x', types, scopes: [], createdAt: 0, updatedAt: 0,
    sealedSecret: await envelope.seal(secret, { app: 'sealtext', purpose: 'webhook-secret', record: 'acme' }),
  });

  it('signs with the current secret and a fresh timestamp; a 2xx acknowledges', async () => {
    const seen: { headers: Record<string, string>; body: string }[] = [];
    const w = await webhook();
    const out = await deliverWebhook({ webhookOf: async () => w, envelope, now: () => 1_000_000_000, poster: { post: async (_u, headers, body) => (seen.push({ headers, body }), { status: 204 }) } }, job, 1);
    expect(out).toEqual({ outcome: 'delivered', status: 204 });
    expect(seen[0]!.headers['webhook-id']).toBe(webhookId('ev1'));
    expect(verify(secret, seen[0]!.headers, seen[0]!.body, 1_000_000)).toBe(true);
  });

  it('retries a non-2xx or a network failure on the schedule, gives up after the last, drops what is no longer wanted', async () => {
    const w = await webhook();
    const deps = { webhookOf: async () => w, envelope, now: () => 0, random: () => 0.5 };
    expect(await deliverWebhook({ ...deps, poster: { post: async () => ({ status: 302 }) } }, job, 1)).toEqual({ outcome: 'retry', afterSeconds: 5, status: 302 });
    expect(await deliverWebhook({ ...deps, poster: { post: async () => { throw new Error('ECONNRESET'); } } }, job, 2)).toEqual({ outcome: 'retry', afterSeconds: 300 });
    expect(await deliverWebhook({ ...deps, poster: { post: async () => ({ status: 500 }) } }, job, 9)).toEqual({ outcome: 'exhausted', status: 500 });
    expect(await deliverWebhook({ ...deps, webhookOf: async () => undefined, poster: { post: async () => ({ status: 200 }) } }, job, 1)).toEqual({ outcome: 'dropped', reason: 'no_webhook' });
    const narrowed = await webhook(['delivery.failed']);
    expect(await deliverWebhook({ ...deps, webhookOf: async () => narrowed, poster: { post: async () => ({ status: 200 }) } }, job, 1)).toEqual({ outcome: 'dropped', reason: 'type_not_wanted' });
  });

  it('serves clients side by side: a stalling receiver neither delays a healthy one nor takes more than its share', async () => {
    const hook = async (clientId: string, url: string): Promise<Webhook> => ({ ...(await webhook()), clientId, url, sealedSecret: await envelope.seal(secret, { app: 'sealtext', purpose: 'webhook-secret', record: clientId }) });
    const hooks = new Map([['slow', await hook('slow', 'https://slow.example.com/')], ['fast', await hook('fast', 'https://fast.example.com/')]]);
    const STALL_MS = 300;
    const started = Date.now();
    const posts: { client: string; at: number; done?: number }[] = [];
    let slowInFlight = 0;
    let slowMaxInFlight = 0;
    const poster = {
      post: async (url: string) => {
        const p: { client: string; at: number; done?: number } = { client: url.includes('slow') ? 'slow' : 'fast', at: Date.now() - started };
        posts.push(p);
        if (p.client === 'fast') return (p.done = Date.now() - started, { status: 204 });
        slowMaxInFlight = Math.max(slowMaxInFlight, ++slowInFlight);
        // The stalling endpoint: nothing until the post's own timeout cuts it.
        await new Promise((r) => setTimeout(r, STALL_MS));
        slowInFlight--;
        throw new Error('TimeoutError');
      },
    };
    const queued = (clientId: string, n: number) => ({ messageId: `${clientId}-${n}`, receiptHandle: `h-${clientId}-${n}`, attempt: 1, job: { ...job, clientId, event: { ...job.event, id: `${clientId}-${n}` } } });
    // The slow client's jobs come first in the batch, as one busy client's would.
    const batch = [1, 2, 3, 4, 5, 6].map((n) => queued('slow', n)).concat([1, 2, 3, 4].map((n) => queued('fast', n)));
    const retried: string[] = [];
    const out = await deliverBatch(
      { webhookOf: async (c) => hooks.get(c), envelope, now: () => 0, random: () => 0.5, poster, retry: { retryLater: async (h) => void retried.push(h) } },
      batch,
    );
    const fast = posts.filter((p) => p.client === 'fast');
    expect(fast).toHaveLength(4);
    // Every healthy post went out and finished while the slow endpoint still stalled its first posts.
    for (const p of fast) expect(p.done!).toBeLessThan(STALL_MS / 2);
    // The slow client: at most its share in flight, and once its endpoint failed, no more posts this batch.
    expect(slowMaxInFlight).toBeLessThanOrEqual(PER_CLIENT_IN_FLIGHT);
    expect(posts.filter((p) => p.client === 'slow')).toHaveLength(PER_CLIENT_IN_FLIGHT);
    expect(Date.now() - started).toBeLessThan(STALL_MS * 2);
    // All six of its jobs go back on their backoff, none is lost; the fast ones are done.
    expect(out.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['slow-1', 'slow-2', 'slow-3', 'slow-4', 'slow-5', 'slow-6']);
    expect(retried.sort()).toEqual(['h-slow-1', 'h-slow-2', 'h-slow-3', 'h-slow-4', 'h-slow-5', 'h-slow-6']);
  });
});
