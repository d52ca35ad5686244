import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../infra/routes.ts';
import { randomUkMobile } from '../support/phones.ts';
import { baseUrl, clients, outbox, tokenFor } from './client.ts';

/**
 * Hostile input, property-based, against every route of the running local stack: whatever arrives,
 * the answer is a problem+json 4xx with `status`, `code` and `title` (or the route's own success
 * for a well-formed request), never a 5xx, never a hang, never an echo of what was sent; and a
 * refused send writes and texts nothing.
 */
let token: string;
beforeAll(async () => {
  token = await tokenFor(clients[0]!);
});

type Sent = { method: string; path: string; headers?: Record<string, string>; body?: string | Uint8Array };
async function send(r: Sent) {
  const res = await fetch(`${baseUrl}${r.path}`, { method: r.method, headers: r.headers, body: r.body, signal: AbortSignal.timeout(15_000) });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}
function expectProblem(a: { status: number; type: string; text: string }, context: string) {
  expect(a.status, context).toBeGreaterThanOrEqual(400);
  expect(a.status, context).toBeLessThan(500);
  expect(a.type, context).toBe('application/problem+json');
  const body = JSON.parse(a.text) as { status: number; code: string; title: string };
  expect(body.status, context).toBe(a.status);
  expect(typeof body.code, context).toBe('string');
  expect(typeof body.title, context).toBe('string');
}

const concrete = (path: string) => path.replace('{id}', 'AAAAAAAAAAAAAAAAAAAAAA').replace('{token}', 'A'.repeat(43)).replace('{phone}', '%2B447400123456').replace('{kind}', 'prefix').replace('{key}', '4474001');
const bodyRoutes = ROUTES.filter((r) => r.method === 'POST' || r.method === 'PUT');

// JSON that is hostile by shape: wrong types, prototype keys, deep nesting, control characters, full-width digits.
const hostileValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.anything(),
    fc.string({ unit: 'binary' }),
    fc.constantFrom('\u0000', '１２３４５６', '+４４７４００１２３４５６', '𝟏𝟐𝟑𝟒𝟓𝟔', '<script>alert(1)</script>', '../../etc/passwd', '9'.repeat(400), '-1', 'NaN'),
    fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'prototype', 'to', 'code', 'body', 'signals', 'transaction'), tie('value'), { maxKeys: 4 }),
    fc.array(tie('value'), { maxLength: 4 }),
  ),
})).value;

describe('hostile input, property-based', () => {
  it('every body route answers any JSON value with a problem+json 4xx, without echoing it', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...bodyRoutes), hostileValue, async (route, value) => {
        const raw = JSON.stringify(value) ?? 'null';
        if (raw.length > 20_000) return;
        const a = await send({ method: route.method, path: concrete(route.path), headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: raw });
        if (a.status < 300) return; // a well-formed request is allowed to succeed
        expectProblem(a, `${route.method} ${route.path} ${raw.slice(0, 200)}`);
        // What was sent as a number or a code never comes back.
        const field = (k: string) => {
          const v = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[k] : undefined;
          return typeof v === 'string' ? v : '';
        };
        for (const s of [field('to'), field('code'), field('body')]) if (/\d{6}/.test(s)) expect(a.text).not.toContain(s);
      }),
      { numRuns: 150 },
    );
  });

  it('huge, deeply nested, duplicate-key, NUL and invalid UTF-8 bodies are refused cleanly', async () => {
    const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
    const cases: [string, string | Uint8Array][] = [
      ['16 KiB + 1', JSON.stringify({ to: '+447400123456', body: 'x'.repeat(16_400) })],
      ['deep nesting', `${'['.repeat(5_000)}${']'.repeat(5_000)}`],
      ['deep object', `${'{"a":'.repeat(3_000)}1${'}'.repeat(3_000)}`],
      ['duplicate keys', '{"to":"+447400123456","to":"+15550100000"}'],
      ['NUL in a string', '{"to":"+4474001\\u000023456"}'],
      ['raw NUL byte', '{"to":"+4474001\u000023456"}'],
      ['invalid UTF-8', new Uint8Array([0x7b, 0x22, 0x74, 0x6f, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0xff, 0xfe, 0x22, 0x7d])],
      ['__proto__ pollution', '{"__proto__":{"admin":true},"to":"+447400123456"}'],
      ['not JSON', 'to=+447400123456'],
      ['empty', ''],
    ];
    for (const route of bodyRoutes) {
      for (const [name, body] of cases) {
        const a = await send({ method: route.method, path: concrete(route.path), headers, body });
        if (a.status < 300) continue;
        expectProblem(a, `${route.method} ${route.path}: ${name}`);
        expect(a.text).not.toContain('447400123456');
      }
    }
    // Prototype pollution never leaked into the process.
    expect(({} as { admin?: unknown }).admin).toBeUndefined();
  });

  it('forged tokens (alg none, wrong key, edited claims, garbage) are 401 on every authenticated route', async () => {
    const [h, p] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>;
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const forged = [
      `${b64({ alg: 'none', typ: 'JWT' })}.${p}.`,
      `${b64({ alg: 'none', typ: 'JWT' })}.${p}`,
      `${h}.${b64({ ...claims, client_id: 'someone-else' })}.${token.split('.')[2]}`,
      `${h}.${b64({ ...claims, scope: 'p2a/otp.send p2a/fraud.manage', exp: 9_999_999_999 })}.${token.split('.')[2]}`,
      `${h}.${p}.${Buffer.from('wrong key signature, 32 bytes!!').toString('base64url')}`,
      'garbage', `${token}x`, token.toLowerCase(),
    ];
    for (const route of ROUTES.filter((r) => r.scope !== 'public')) {
      for (const t of forged) {
        const a = await send({ method: route.method, path: concrete(route.path), headers: { Authorization: `Bearer ${t}`, 'Content-Type': 'application/json' }, ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { body: '{}' }) });
        expect(a.status, `${route.method} ${route.path}`).toBe(401);
        expectProblem(a, route.path);
        expect(a.text).not.toContain(t.slice(0, 20));
      }
    }
  });

  it('a malformed escape in any path parameter is not found, never a 5xx', async () => {
    // fast-check found `GET /m/%ZZ` answering 500 once in CI: the gateway's decode threw.
    for (const route of ROUTES) {
      for (const bad of ['%ZZ', '%', '%E0%A4%A']) {
        const path = route.path.replace(/\{\w+\}/g, bad);
        if (path === route.path) continue;
        const a = await send({ method: route.method, path, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { body: '{}' }) });
        expect(a.status, `${route.method} ${path}`).toBeGreaterThanOrEqual(400);
        expect(a.status, `${route.method} ${path}`).toBeLessThan(500);
      }
    }
  });

  it('random methods, paths and headers never answer 5xx or hang', async () => {
    const segment = fc.oneof(fc.constantFrom('v1', 'otp', 'messages', 'm', 'audit', 'fraud', 'blocks', 'verify', '..', '%00', '%2e%2e', '%ZZ', 'AAAAAAAAAAAAAAAAAAAAAA'), fc.webSegment());
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'),
        fc.array(segment, { minLength: 1, maxLength: 5 }),
        fc.dictionary(fc.constantFrom('X-Forwarded-For', 'Idempotency-Key', 'Content-Type', 'Accept', 'X-Amzn-Trace-Id'), fc.string({ maxLength: 200 }).filter((s) => /^[\t\x20-\x7e]*$/.test(s)), { maxKeys: 3 }),
        async (method, segments, headers) => {
          const path = `/${segments.join('/')}`;
          const a = await send({ method, path, headers: { ...headers, Authorization: `Bearer ${token}` }, ...(method === 'GET' || method === 'HEAD' ? {} : { body: '{}' }) });
          expect(a.status, `${method} ${path}`).toBeLessThan(500);
          if (a.status < 400 || method === 'HEAD') return;
          // The recipient page answers a browser with a page, not a problem document.
          if (method === 'GET' && /^\/m\/[^/]+$/.test(new URL(`http://x${path}`).pathname)) expect(a.type).toBe('text/html; charset=utf-8');
          else expectProblem(a, `${method} ${path}`);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('a refused send writes nothing and texts nothing', async () => {
    const to = randomUkMobile();
    const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
    for (const body of [
      { to, codeLength: 4 }, { to, purpose: 'transaction' }, { to, signals: { ip: '300.1.1.1' } }, { to, brand: 'x'.repeat(31) }, { to, extra: 1 },
    ]) expect((await send({ method: 'POST', path: '/v1/otp', headers, body: JSON.stringify(body) })).status).toBe(400);
    for (const body of [{ to, body: '' }, { to, body: 'hi', category: 'spam' }, { to, body: 'x'.repeat(4001) }, { to, body: 'hi', signals: { userId: '' } }]) {
      expect((await send({ method: 'POST', path: '/v1/messages', headers, body: JSON.stringify(body) })).status).toBe(400);
    }
    expect(await outbox(to)).toEqual([]);
    const audit = await send({ method: 'GET', path: `/v1/audit?to=${encodeURIComponent(to)}`, headers });
    expect(JSON.parse(audit.text).events).toEqual([]);
  });
});
