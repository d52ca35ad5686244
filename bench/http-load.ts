import { randomUkMobile } from '../test/support/phones.ts';
import { receiptsSettled } from '../test/support/receipts.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Round trips per endpoint and a 64-client load run, over HTTP against the local stack in this
 * process (DynamoDB Local; every DynamoDB request counted by the SDK middleware behind
 * GET /_local/aws-calls). What a right code, a wrong code or an issue costs is counted, not timed.
 */
type Client = { clientId: string; clientSecret: string };
const mobile = randomUkMobile;

export async function httpBench(stack: { url: string }, dir: string, durationMs: number, users = 64) {
  {
    const [client] = JSON.parse(readFileSync(join(dir, 'clients.json'), 'utf8')) as Client[];
    const tokenRes = await fetch(`${stack.url}/oauth2/token`, {
      method: 'POST',
      headers: { Authorization: `Basic ${Buffer.from(`${client!.clientId}:${client!.clientSecret}`).toString('base64')}`, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    const token = ((await tokenRes.json()) as { access_token: string }).access_token;
    const post = async (path: string, body: unknown) => {
      const res = await fetch(`${stack.url}${path}`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const calls = async () => (await (await fetch(`${stack.url}/_local/aws-calls`)).json()) as Record<string, number>;
    const callsOf = async (prefix: string) => Object.entries(await calls()).filter(([k]) => k.startsWith(prefix)).reduce((a, [, n]) => a + n, 0);
    // The request path's calls; the functions behind the events (receipts, publisher, range credits) are tallied apart.
    const dynamoCalls = () => callsOf('DynamoDB.');
    const outbox = async (to: string) => ((await (await fetch(`${stack.url}/_local/outbox?${new URLSearchParams({ to }).toString()}`)).json()) as { messages: { text: string }[] }).messages;
    const codeOf = async (to: string) => (await outbox(to)).at(-1)!.text.match(/\b(\d{6})\b/)![1]!;
    const measure = async (f: () => Promise<unknown>) => {
      const before = await dynamoCalls();
      await f();
      return (await dynamoCalls()) - before;
    };

    // Warm every handler once, so cold-start reads (none today) would not count.
    const warm = mobile();
    const w = await post('/v1/otp', { to: warm });
    await post(`/v1/otp/${String(w.body.verificationId)}/verify`, { code: await codeOf(warm) });

    const to = mobile();
    let id = '';
    const issue = await measure(async () => (id = (await post('/v1/otp', { to })).body.verificationId as string));
    const sms = (await outbox(to)).length;
    const code = await codeOf(to);
    const wrong = await measure(() => post(`/v1/otp/${id}/verify`, { code: code === '000000' ? '111111' : '000000' }));
    const right = await measure(() => post(`/v1/otp/${id}/verify`, { code }));

    // `users` end users of one client (64 by default), issue then verify, as fast as they can for `durationMs`; calls counted across the
    // run, the process's memory sampled every 10 s (the stack's handlers run in this process).
    const latencies: number[] = [];
    const rss: number[] = [];
    const sampler = setInterval(() => rss.push(process.memoryUsage().rss), 10_000);
    const statuses: Record<string, number> = {};
    const started = performance.now();
    const deadline = started + durationMs;
    const before = await dynamoCalls();
    const backgroundBefore = await callsOf('Background.DynamoDB.');
    const timed = async (f: () => Promise<{ status: number; body: Record<string, unknown> }>) => {
      const t = performance.now();
      const r = await f();
      latencies.push(performance.now() - t);
      statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      return r;
    };
    // Each request for another end user of the one app, with its `signals` (their own windows: the
    // shared ones, client and country, are what the 64 contend for).
    let n = 0;
    await Promise.all(Array.from({ length: users }, async () => {
      while (performance.now() < deadline) {
        const phone = mobile();
        const i = n++;
        const signals = { ip: `10.${(i >> 16) % 256}.${(i >> 8) % 256}.${i % 256}`, userId: `user-${i}` };
        const issued = await timed(() => post('/v1/otp', { to: phone, signals }));
        if (issued.status !== 201) continue;
        const code = await codeOf(phone);
        await timed(() => post(`/v1/otp/${issued.body.verificationId as string}/verify`, { code }));
      }
    }));
    clearInterval(sampler);
    rss.push(process.memoryUsage().rss);
    const seconds = (performance.now() - started) / 1000;
    const used = (await dynamoCalls()) - before;
    const accepted = (statuses['201'] ?? 0) + (statuses['200'] ?? 0);
    latencies.sort((a, b) => a - b);
    const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))]!;
    // The outbox's delivery receipts (actions too) land about a second after each SMS: seal after them.
    await receiptsSettled(stack.url);
    const background = (await callsOf('Background.DynamoDB.')) - backgroundBefore;
    await fetch(`${stack.url}/_local/audit/seal`, { method: 'POST' });
    const verdict = await (await fetch(`${stack.url}/v1/audit/verify`, { headers: { Authorization: `Bearer ${token}` } })).json() as { intact: boolean; events: number; unsealed: number };
    return {
      issue, sms, wrong, right,
      load: { requests: latencies.length, seconds, perSecond: latencies.length / seconds, p50: pct(0.5), p99: pct(0.99), statuses, callsPerAction: used / Math.max(1, accepted), backgroundCallsPerAction: background / Math.max(1, accepted), verdict, rssMiB: rss.map((b) => Math.round(b / 1048576)) },
    };
  }
}
