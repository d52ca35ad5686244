import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, inject } from 'vitest';

/** A small HTTP client for the local stack that remembers every answer, so tests can check none leaks a secret. */
export const baseUrl = inject('apiUrl');
export const responses: string[] = [];

type Client = { clientId: string; clientSecret: string; scopes: string[] };
export const clients = JSON.parse(readFileSync(join(inject('localDir'), 'clients.json'), 'utf8')) as Client[];

export async function tokenFor(client: Client, scope?: string): Promise<string> {
  const res = await fetch(`${baseUrl}/oauth2/token`, {
    method: 'POST',
    headers: {
      Authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`,
      'Content-Type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', ...(scope ? { scope } : {}) }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

/** Every answer of every api test file (subject exports aside), scanned for secrets after the file ran. */
const scanned: string[] = [];
afterAll(() => {
  const text = scanned.join('\n');
  const findings = {
    fullNumbers: (text.match(/\+\d{8,15}\b/g) ?? []).length,
    bearerTokens: (text.match(/eyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]+/g) ?? []).length,
    clientSecrets: clients.filter((c) => text.includes(c.clientSecret)).length,
  };
  expect(findings).toEqual({ fullNumbers: 0, bearerTokens: 0, clientSecrets: 0 });
});

export type Answer = { status: number; headers: Headers; body: Record<string, unknown>; text: string };

export async function call(
  method: string,
  path: string,
  options: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      ...(options.token ? { Authorization: `Bearer ${options.token}` } : {}),
      ...(options.body !== undefined || options.raw !== undefined ? { 'Content-Type': 'application/json' } : {}),
      ...options.headers,
    },
    ...(options.raw !== undefined ? { body: options.raw } : options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await res.text();
  responses.push(`${JSON.stringify(Object.fromEntries(res.headers))}\n${text}`);
  // A subject export hands back what is held about a number, decrypted, by design; nothing else may.
  if (!/^\/v1\/subjects\//.test(path)) scanned.push(`${JSON.stringify(Object.fromEntries(res.headers))}\n${text}`);
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, text };
}

/** The local outbox: what the stack would have sent to `to`, on every channel (`channel` absent on SMS). */
export async function outbox(to: string): Promise<{ to: string; text: string; at: string; channel?: string }[]> {
  const res = await fetch(`${baseUrl}/_local/outbox?${new URLSearchParams({ to }).toString()}`);
  return ((await res.json()) as { messages: { to: string; text: string; at: string; channel?: string }[] }).messages;
}

export async function lastCode(to: string): Promise<string> {
  const code = (await outbox(to)).at(-1)?.text.match(/\b(\d{6,10})\b/)?.[1];
  if (!code) throw new Error('no code in the outbox');
  return code;
}

/** Log lines of the stack, but for the outbox's own console lines (the local stand-in for the phone). */
/**
 * A file's own secrets (numbers, codes, addresses) appear in no log line and no answer. `word`
 * matches whole words only, so a code can't be "found" inside a random request id; `anywhere` is a
 * plain substring (addresses). `answers` narrows which answers are read (a subject export hands back
 * what it was asked about, by design).
 */
export function expectNoSecretsLeaked(secrets: readonly string[], o: { atLeast: number; match: { logs: 'word' | 'anywhere'; answers: 'word' | 'anywhere' }; answers?: (answer: string) => boolean }) {
  const logs = stackLogLines().join('\n');
  const answers = o.answers ? responses.filter(o.answers) : responses;
  expect(secrets.length).toBeGreaterThan(o.atLeast);
  for (const secret of secrets) {
    const word = new RegExp(`\\b${secret.replace(/[.+]/g, '\\$&')}\\b`);
    const found = (how: 'word' | 'anywhere', text: string) => (how === 'word' ? word.test(text) : text.includes(secret));
    expect(found(o.match.logs, logs), 'a log line holds a number, a code or an address').toBe(false);
    expect(answers.some((r) => found(o.match.answers, r)), 'an answer holds a number, a code or an address').toBe(false);
  }
}

export function stackLogLines(): string[] {
  return readFileSync(inject('stackLog'), 'utf8')
    .split('\n')
    .filter((line) => !line.startsWith('[outbox]'));
}
