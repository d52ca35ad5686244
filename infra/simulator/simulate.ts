import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RuleDecision } from '#shared/fraud/alarm-rules';
import { randomMobile, sequentialNumbers } from './numbers.ts';

/**
 * The traffic simulator: drives the local stack over HTTP with a scenario's mix of people and bots,
 * then asks the stack what the deployed alarm rules would decide over the metrics its functions
 * emitted, and which ranges and countries are blocked. Alarms notify; nothing pauses a country.
 */
export type Scenario = 'normal' | 'pumping' | 'bruteforce' | 'burst' | 'mixed' | 'cover';
export const SCENARIOS: readonly Scenario[] = ['normal', 'pumping', 'bruteforce', 'burst', 'mixed', 'cover'];

type Block = { kind: 'prefix' | 'country'; key: string; reason: string; since: number; sent?: number; approved?: number };
/** Per actor group of the mixed scenario: what they asked for and how they were answered. */
type Group = { requests: number; sent: number; refused: Record<string, number> };

export type Report = {
  scenario: Scenario;
  requests: number;
  statuses: Record<string, number>;
  /** 429s by the limit that answered. */
  limited: Record<string, number>;
  /** 403s by code/reason. */
  refused: Record<string, number>;
  decisions: RuleDecision[];
  /** Range and country blocks this run caused (GET /v1/fraud/blocks shows all in force). */
  blocks: Block[];
  /** The mixed scenario's groups (bots per attacked range, honest people, the burst). */
  groups?: Record<string, Group>;
};

type Client = { clientId: string; clientSecret: string };

class Driver {
  readonly report: Omit<Report, 'decisions' | 'blocks'>;
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
      const key = typeof json.reason === 'string' ? `${String(json.code)}:${json.reason}` : String(json.code);
      tally.refused[key] = (tally.refused[key] ?? 0) + 1;
    }
    return { status: res.status, json };
  }

  /** A person who once opened a sealed message: a trusted number from then on. */
  async openSealedMessage(to: string) {
    await this.call('POST', '/v1/messages', { to, body: 'Your statement is ready', brand: 'Acme' }, '203.0.113.250', { scenario: this.report.scenario, requests: 0, statuses: {}, limited: {}, refused: {} });
    const res = await fetch(`${this.baseUrl}/_local/outbox?${new URLSearchParams({ to }).toString()}`);
    const link = ((await res.json()) as { messages: { text: string }[] }).messages.at(-1)!.text.match(/\/m\/([\w-]+)/)![1]!;
    await fetch(`${this.baseUrl}/m/${link}/code`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    const code = await this.codeFor(to);
    const opened = await fetch(`${this.baseUrl}/m/${link}/open`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ code }) });
    if (opened.status !== 200) throw new Error(`could not open the message (${opened.status})`);
  }

  async codeFor(to: string): Promise<string | undefined> {
    const res = await fetch(`${this.baseUrl}/_local/outbox?${new URLSearchParams({ to }).toString()}`);
    const messages = ((await res.json()) as { messages: { text: string }[] }).messages;
    return messages.at(-1)?.text.match(/\b(\d{6})\b/)?.[1];
  }

  /** A person: asks for a code, reads it, types it (sometimes wrong first), or walks away. */
  async person(to: string, ip: string, behaviour: 'verify' | 'typo' | 'abandon', group?: Group) {
    const issued = await this.call('POST', '/v1/otp', { to, brand: 'Acme' }, ip, this.report, `user-${to.slice(-6)}`);
    if (group) tallyGroup(group, issued);
    if (issued.status !== 201 || behaviour === 'abandon') return;
    const id = issued.json.verificationId as string;
    const code = await this.codeFor(to);
    if (behaviour === 'typo') await this.call('POST', `/v1/otp/${id}/verify`, { code: code === '000000' ? '111111' : '000000' }, ip);
    await this.call('POST', `/v1/otp/${id}/verify`, { code }, ip);
  }
}

function tallyGroup(g: Group, answer: { status: number; json: Record<string, unknown> }) {
  g.requests++;
  if (answer.status === 201) g.sent++;
  else {
    const why = answer.status === 429 ? `429:${String(answer.json.limit)}` : answer.status === 403 ? `403:${String(answer.json.reason ?? answer.json.code)}` : String(answer.status);
    g.refused[why] = (g.refused[why] ?? 0) + 1;
  }
}
const group = (): Group => ({ requests: 0, sent: 0, refused: {} });

/** Runs `run` over the items, `size` at a time. */
export async function inBatches<T>(items: T[], size: number, run: (item: T) => Promise<void>) {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(run));
}

const COUNTRIES = ['GB', 'US', 'DE', 'FR', 'NL'] as const;
/** The ranges the scenarios attack (pumping, mixed, cover): people and bursts are drawn outside them. */
const ATTACKED_RANGES = ['+4474009', '+4474008', '+1212555', '+4917612', '+4474006', '+1212556', '+4917613'];
const personMobile = (country: (typeof COUNTRIES)[number]) => {
  for (;;) {
    const n = randomMobile(country);
    if (!ATTACKED_RANGES.some((r) => n.startsWith(r))) return n;
  }
};

export async function simulate(baseUrl: string, scenario: Scenario, localDir: string, clientIndex = 0): Promise<Report> {
  const clients = JSON.parse(readFileSync(join(localDir, 'clients.json'), 'utf8')) as Client[];
  const driver = new Driver(baseUrl, clients[clientIndex % clients.length]!, scenario);
  await driver.login();
  const since = Date.now();
  const ip = (n: number) => `198.51.100.${n}`;

  let groups: Record<string, Group> | undefined;
  switch (scenario) {
    case 'normal': {
      // 40 people across five countries: most verify, some mistype once, some walk away.
      const people = Array.from({ length: 40 }, (_, i): { to: string; behaviour: 'verify' | 'typo' | 'abandon' } => ({
        to: personMobile(COUNTRIES[i % COUNTRIES.length]!),
        behaviour: i % 10 === 3 ? 'typo' : i % 10 === 7 ? 'abandon' : 'verify',
      }));
      await inBatches(people, 5, (p) => driver.person(p.to, ip(10 + people.indexOf(p)), p.behaviour));
      break;
    }
    case 'pumping': {
      // Bots ask for codes to 100 consecutive numbers in one GB range and never verify, while
      // 10 real French customers keep signing in.
      const bots = sequentialNumbers('+447400900000', 100);
      const people = Array.from({ length: 10 }, () => personMobile('FR'));
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
      const victims = Array.from({ length: 3 }, () => personMobile('DE'));
      await Promise.all(
        victims.map(async (to) => {
          for (let round = 0; round < 3; round++) {
            const issued = await driver.call('POST', '/v1/otp', { to }, ip(77));
            if (issued.status !== 201) continue;
            for (let guess = 0; guess < 5; guess++) {
              await driver.call('POST', `/v1/otp/${String(issued.json.verificationId)}/verify`, { code: String(100000 + Math.floor(Math.random() * 900000)) }, ip(77));
            }
          }
        }),
      );
      break;
    }
    case 'burst': {
      // One end-user address fires 400 requests at once: its limit answers 429, nothing answers 5xx.
      const numbers = Array.from({ length: 400 }, (_, i) => personMobile((['US', 'NL', 'DE'] as const)[i % 3]!));
      await inBatches(numbers, 50, (to) => driver.call('POST', '/v1/otp', { to }, ip(88)).then(() => undefined));
      break;
    }
    case 'mixed': {
      // A botnet pumps three ranges (a new address and user per request), one address bursts, and
      // honest people keep signing in: new users across many ranges, users in other countries,
      // and people inside the attacked ranges who verified before (they once opened a message).
      // Ranges the honest people's random numbers (+1415…, +49151…) never fall into.
      const attacked = { '4474008': '+447400805000', '1212555': '+12125550100', '4917612': '+4917612300000' } as const;
      groups = { burst: group(), honest: group(), trustedInAttackedRanges: group() };
      for (const range of Object.keys(attacked)) groups[`bots ${range}`] = group();
      const trusted = Object.values(attacked).map((start) => sequentialNumbers(start.replace(/\d{3}$/, '900'), 2)).flat();
      for (const to of trusted) await driver.openSealedMessage(to);
      let n = 0;
      const bots = Object.entries(attacked).flatMap(([range, start]) => sequentialNumbers(start, 60).map((to) => ({ range, to })));
      const botnet = inBatches(bots, 12, async (b) => {
        n++;
        tallyGroup(groups![`bots ${b.range}`]!, await driver.call('POST', '/v1/otp', { to: b.to }, `203.0.${n >> 8}.${n % 256}`, driver.report, `bot-${n}`));
      });
      const burst = inBatches(Array.from({ length: 200 }, () => personMobile('GB')), 25, async (to) => {
        tallyGroup(groups!.burst!, await driver.call('POST', '/v1/otp', { to }, '198.51.100.66'));
      });
      const honest = Array.from({ length: 60 }, (_, i) => personMobile(COUNTRIES[i % COUNTRIES.length]!));
      const people = inBatches(honest, 6, (to) => driver.person(to, ip(150 + honest.indexOf(to)), honest.indexOf(to) % 9 === 4 ? 'typo' : 'verify', groups!.honest));
      // The trusted come back once the bots are at it.
      const returning = botnet.then(() => inBatches(trusted, 3, (to) => driver.person(to, `192.0.2.${trusted.indexOf(to) + 1}`, 'verify', groups!.trustedInAttackedRanges)));
      await Promise.all([botnet, burst, people, returning]);
      break;
    }
    case 'cover': {
      // Pumping that hides behind honest approvals. Two ranges hold eight people each who verified
      // codes before; a third holds none. A botnet (a new address and user per request) pumps all
      // three and verifies one code in five (it terminates the range and reads them), while the
      // trusted people sign in as usual and new people elsewhere, in five countries, sign up.
      const attacked = { '4474006': '+447400605000', '1212556': '+12125560100', '4917613': '+4917613300000' } as const;
      const withTrusted = ['4474006', '1212556'];
      groups = { honest: group(), trusted: group() };
      for (const range of Object.keys(attacked)) groups[`bots ${range}`] = group();
      const trusted = withTrusted.flatMap((range) => sequentialNumbers(attacked[range as keyof typeof attacked].replace(/\d{3}$/, '900'), 8));
      // Before the attack: each of them verifies a code once (a trusted number from then on).
      await inBatches(trusted, 4, (to) => driver.person(to, `192.0.2.${trusted.indexOf(to) + 1}`, 'verify'));
      let n = 0;
      const bots = Object.entries(attacked).flatMap(([range, start]) => sequentialNumbers(start, 60).map((to) => ({ range, to })));
      const botCodes: Record<string, number> = {};
      const botnet = inBatches(bots, 12, async (b) => {
        n++;
        const issued = await driver.call('POST', '/v1/otp', { to: b.to }, `203.0.${n >> 8}.${n % 256}`, driver.report, `bot-${n}`);
        tallyGroup(groups![`bots ${b.range}`]!, issued);
        if (issued.status !== 201) return;
        botCodes[b.range] = (botCodes[b.range] ?? 0) + 1;
        if (botCodes[b.range]! % 5 !== 0) return;
        await driver.call('POST', `/v1/otp/${String(issued.json.verificationId)}/verify`, { code: await driver.codeFor(b.to) }, `203.0.${n >> 8}.${n % 256}`);
      });
      // The trusted keep signing in while the bots are at it: twice each.
      const returning = inBatches([...trusted, ...trusted], 4, (to) => driver.person(to, `192.0.2.${trusted.indexOf(to) + 1}`, 'verify', groups!.trusted));
      const honest = Array.from({ length: 40 }, (_, i) => personMobile(COUNTRIES[i % COUNTRIES.length]!));
      const people = inBatches(honest, 5, (to) => driver.person(to, ip(200 + honest.indexOf(to)), 'verify', groups!.honest));
      await Promise.all([botnet, returning, people]);
      break;
    }
  }

  const res = await fetch(`${baseUrl}/_local/brake`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ action: 'evaluate', since }) });
  const { decisions, blocks } = (await res.json()) as { decisions: RuleDecision[]; blocks: Block[] };
  return { ...driver.report, decisions, blocks: blocks.filter((b) => b.since >= since), ...(groups ? { groups } : {}) };
}

export function formatReport(r: Report): string {
  const lines = [
    `scenario ${r.scenario}: ${r.requests} requests`,
    `  answers:     ${Object.entries(r.statuses).map(([s, n]) => `${s}×${n}`).join('  ')}`,
    `  rate limits: ${Object.entries(r.limited).map(([l, n]) => `${l}×${n}`).join('  ') || 'none'}`,
    `  refused:     ${Object.entries(r.refused).map(([c, n]) => `${c}×${n}`).join('  ') || 'none'}`,
    '  alarm rules (as deployed):',
    ...r.decisions.map((d) => `    ${d.fired ? 'ALARM' : 'ok   '} ${d.id}: ${d.observed}`),
    `  blocks:      ${r.blocks.map((b) => `${b.kind} ${b.key} (${b.reason}${b.sent !== undefined ? `, ${b.approved}/${b.sent} verified` : ''})`).join('; ') || 'none'}`,
    ...Object.entries(r.groups ?? {}).map(([name, g]) =>
      `  ${name.padEnd(26)} asked ${String(g.requests).padStart(3)}, got ${String(g.sent).padStart(3)} SMS, refused ${Object.entries(g.refused).map(([w, n]) => `${w}×${n}`).join(' ') || 'none'}`),
  ];
  return lines.join('\n');
}
