import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RuleDecision } from '#shared/fraud/alarm-rules';
import { randomMobile, sequentialNumbers } from './numbers.ts';

/**
 * The traffic simulator: drives the local stack over HTTP with a scenario's mix of people and bots,
 * then asks the stack to evaluate the deployed alarm rules over the metrics its functions emitted
 * (and trip the brake if the pumping rule fires, as the alarm action would in AWS).
 */
export type Scenario = 'normal' | 'pumping' | 'bruteforce' | 'burst';
export const SCENARIOS: readonly Scenario[] = ['normal', 'pumping', 'bruteforce', 'burst'];

export type Report = {
  scenario: Scenario;
  requests: number;
  statuses: Record<string, number>;
  /** 429s by the limit that answered. */
  limited: Record<string, number>;
  /** 403s by code/reason. */
  refused: Record<string, number>;
  decisions: RuleDecision[];
  paused: string[];
  /** Requests after the brake tripped, and how they were answered. */
  afterBrake?: Record<string, number>;
};

type Client = { clientId: string; clientSecret: string };

class Driver {
  readonly report: Omit<Report, 'decisions' | 'paused'>;
  private token = '';
  constructor(readonly baseUrl: string, private readonly client: Client, scenario: Scenario) {
    this.report = { scenario, requests: 0, statuses: {}, limited: {}, refused: {} };
  }

  async login() {
    const res = await fetch(`${this.baseUrl}/oauth2/token`, {
      method: 'POST',
      headers: { Authorization: `Basic ${Buffer.from(`${this.client.clientId}:${this.client.clientSecret}`).toString('base64')}`, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    this.token = ((await res.json()) as { access_token: string }).access_token;
  }

  /**
   * A request from the app's backend (one address for all its users). Asking for a code, the
   * backend says which end user it is for, in `signals`, as a production integration does.
   */
  async call(method: string, path: string, body: Record<string, unknown>, ip: string, tally = this.report, userId?: string) {
    const signals = path === '/v1/otp' ? { signals: { ip, ...(userId ? { userId } : {}) } } : {};
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { Authorization: `Bearer ${this.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ ...body, ...signals }),
    });
    const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    tally.requests++;
    tally.statuses[res.status] = (tally.statuses[res.status] ?? 0) + 1;
    if (res.status === 429) tally.limited[String(json.limit)] = (tally.limited[String(json.limit)] ?? 0) + 1;
    if (res.status === 403) {
      const key = json.reason ? `${json.code}:${json.reason}` : String(json.code);
      tally.refused[key] = (tally.refused[key] ?? 0) + 1;
    }
    return { status: res.status, json };
  }

  async codeFor(to: string): Promise<string | undefined> {
    const res = await fetch(`${this.baseUrl}/_local/outbox?${new URLSearchParams({ to })}`);
    const messages = ((await res.json()) as { messages: { text: string }[] }).messages;
    return messages.at(-1)?.text.match(/\b(\d{6})\b/)?.[1];
  }

  /** A person: asks for a code, reads it, types it (sometimes wrong first), or walks away. */
  async person(to: string, ip: string, behaviour: 'verify' | 'typo' | 'abandon') {
    const issued = await this.call('POST', '/v1/otp', { to, brand: 'Acme' }, ip, this.report, `user-${to.slice(-6)}`);
    if (issued.status !== 201 || behaviour === 'abandon') return;
    const id = issued.json.verificationId as string;
    const code = await this.codeFor(to);
    if (behaviour === 'typo') await this.call('POST', `/v1/otp/${id}/verify`, { code: code === '000000' ? '111111' : '000000' }, ip);
    await this.call('POST', `/v1/otp/${id}/verify`, { code }, ip);
  }
}

async function inBatches<T>(items: T[], size: number, run: (item: T) => Promise<void>) {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(run));
}

const COUNTRIES = ['GB', 'US', 'DE', 'FR', 'NL'] as const;

export async function simulate(baseUrl: string, scenario: Scenario, localDir: string, clientIndex = 0): Promise<Report> {
  const clients = JSON.parse(readFileSync(join(localDir, 'clients.json'), 'utf8')) as Client[];
  const driver = new Driver(baseUrl, clients[clientIndex % clients.length]!, scenario);
  await driver.login();
  const since = Date.now();
  const ip = (n: number) => `198.51.100.${n}`;

  let afterBrake: Record<string, number> | undefined;
  switch (scenario) {
    case 'normal': {
      // 40 people across five countries: most verify, some mistype once, some walk away.
      const people = Array.from({ length: 40 }, (_, i) => ({
        to: randomMobile(COUNTRIES[i % COUNTRIES.length]!),
        behaviour: (i % 10 === 3 ? 'typo' : i % 10 === 7 ? 'abandon' : 'verify') as 'verify' | 'typo' | 'abandon',
      }));
      await inBatches(people, 5, (p) => driver.person(p.to, ip(10 + people.indexOf(p)), p.behaviour));
      break;
    }
    case 'pumping': {
      // Bots ask for codes to 100 consecutive numbers in one GB range and never verify, while
      // 10 real French customers keep signing in.
      const bots = sequentialNumbers('+447400900000', 100);
      const people = Array.from({ length: 10 }, () => randomMobile('FR'));
      await Promise.all([
        // A botnet: every bot request from another address.
        inBatches(bots, 10, (to) => driver.call('POST', '/v1/otp', { to }, `203.0.113.${bots.indexOf(to) + 1}`).then(() => undefined)),
        inBatches(people, 2, (to) => driver.person(to, ip(110 + people.indexOf(to)), 'verify')),
      ]);
      break;
    }
    case 'bruteforce': {
      // An attacker holding three victims' verification ids guesses codes, asking for new codes
      // whenever attempts run out.
      const victims = Array.from({ length: 3 }, () => randomMobile('DE'));
      await Promise.all(
        victims.map(async (to) => {
          for (let round = 0; round < 3; round++) {
            const issued = await driver.call('POST', '/v1/otp', { to }, ip(77));
            if (issued.status !== 201) continue;
            for (let guess = 0; guess < 5; guess++) {
              await driver.call('POST', `/v1/otp/${issued.json.verificationId}/verify`, { code: String(100000 + Math.floor(Math.random() * 900000)) }, ip(77));
            }
          }
        }),
      );
      break;
    }
    case 'burst': {
      // One end-user address fires 400 requests at once: its limit answers 429, nothing answers 5xx.
      const numbers = Array.from({ length: 400 }, (_, i) => randomMobile((['US', 'NL', 'DE'] as const)[i % 3]!));
      await inBatches(numbers, 50, (to) => driver.call('POST', '/v1/otp', { to }, ip(88)).then(() => undefined));
      break;
    }
  }

  const res = await fetch(`${baseUrl}/_local/brake`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ action: 'evaluate', since }) });
  const { decisions, paused } = (await res.json()) as { decisions: RuleDecision[]; paused: string[] };

  if (scenario === 'pumping' && paused.length) {
    // What the bots get once the brake is on.
    afterBrake = {};
    const tally = { scenario, requests: 0, statuses: afterBrake, limited: {}, refused: {} };
    // A fresh range, so the prefix limit can't be what answers.
    for (const to of sequentialNumbers('+447911123000', 5)) await driver.call('POST', '/v1/otp', { to }, ip(67), tally);
  }
  return { ...driver.report, decisions, paused, ...(afterBrake ? { afterBrake } : {}) };
}

export function formatReport(r: Report): string {
  const lines = [
    `scenario ${r.scenario}: ${r.requests} requests`,
    `  answers:     ${Object.entries(r.statuses).map(([s, n]) => `${s}×${n}`).join('  ')}`,
    `  rate limits: ${Object.entries(r.limited).map(([l, n]) => `${l}×${n}`).join('  ') || 'none'}`,
    `  refused:     ${Object.entries(r.refused).map(([c, n]) => `${c}×${n}`).join('  ') || 'none'}`,
    '  alarm rules (as deployed):',
    ...r.decisions.map((d) => `    ${d.fired ? 'ALARM' : 'ok   '} ${d.id}: ${d.observed}`),
    `  brake:       ${r.paused.length ? `paused ${r.paused.join(', ')}` : 'not tripped'}`,
    ...(r.afterBrake ? [`  after brake: ${Object.entries(r.afterBrake).map(([s, n]) => `${s}×${n}`).join('  ')}`] : []),
  ];
  return lines.join('\n');
}
