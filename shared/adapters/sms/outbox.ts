import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import type { Channel } from '../../channels/channel.ts';
import type { Sms, SmsSender } from '../../sms/sender.ts';

/**
 * The local stack's SMS provider: appends each SMS to a JSON-lines file (read back by
 * GET /_local/outbox) and prints it, since on a developer's machine the console is the phone.
 */
export type OutboxEntry = { id: string; to: string; text: string; at: string; channel?: Channel; subject?: string; html?: string; headers?: Record<string, string> };

/** Each SMS the outbox takes (`sent`, with its entry): the local stack's stand-in for delivery receipts listens. */
export const outboxSent = new EventEmitter<{ sent: [OutboxEntry] }>();

export class OutboxSender implements SmsSender {
  constructor(private readonly file: string, private readonly print: (line: string) => void = defaultPrint) {}

  async send(sms: Sms): Promise<{ messageId: string }> {
    return { messageId: appendToOutbox(this.file, { to: sms.to, text: sms.text }, this.print).id };
  }
}

const CHANNEL_LABEL: Record<Exclude<Channel, 'sms'>, string> = { whatsapp: 'WhatsApp', voice: 'Voice call', email: 'E-mail' };

/**
 * Appends one message of any channel (an SMS has no `channel`, as before 1.2; voice is the words the
 * call would speak) and prints it. The phone channels' local stand-ins write here too.
 */
export function appendToOutbox(file: string, m: { to: string; text: string; channel?: Exclude<Channel, 'sms'>; subject?: string; html?: string; headers?: Record<string, string> }, print: (line: string) => void = defaultPrint): OutboxEntry {
  const entry: OutboxEntry = {
    id: randomUUID(), to: m.to, text: m.text, at: new Date().toISOString(),
    ...(m.channel ? { channel: m.channel } : {}), ...(m.subject ? { subject: m.subject } : {}), ...(m.html ? { html: m.html } : {}), ...(m.headers ? { headers: m.headers } : {}),
  };
  const idx = index(file); // loaded before the append, so the entry is added once
  appendFileSync(file, `${JSON.stringify(entry)}\n`);
  add(idx, entry);
  // Every channel's message gets its simulated receipt (the local stack listens).
  outboxSent.emit('sent', entry);
  const label = m.channel ? CHANNEL_LABEL[m.channel] : 'SMS';
  print(`[outbox] ${label} to ${m.channel === 'email' ? m.to.replace(/^(.).*@/, '$1***@') : consoleMask(m.to)}:\n${m.subject ? `[outbox]   Subject: ${m.subject}\n` : ''}${m.text.replace(/^/gm, '[outbox]   ')}`);
  return entry;
}

/**
 * The console line names the number loosely (the first four and last two digits): enough to tell
 * test numbers apart, and it keeps the numbering-plan metadata out of every deployed bundle, which
 * carries this adapter beside the SNS one.
 */
const consoleMask = (e164: string) => `${e164.slice(0, 5)}${'*'.repeat(Math.max(0, e164.length - 7))}${e164.slice(-2)}`;

function defaultPrint(line: string) {
  process.stdout.write(`${line}\n`);
}

/**
 * The outbox as read by `GET /_local/outbox`: the file is parsed once per process, then kept in
 * memory as this process appends (only the local stack writes it), so a long load run does not
 * re-read a growing file on every lookup.
 */
type Index = { byTo: Map<string, OutboxEntry[]> };
const indexes = new Map<string, Index>();
function index(file: string): Index {
  let idx = indexes.get(file);
  if (!idx) {
    idx = { byTo: new Map() };
    indexes.set(file, idx);
    for (const e of readOutbox(file)) add(idx, e);
  }
  return idx;
}
function add(idx: Index, e: OutboxEntry) {
  const list = idx.byTo.get(e.to) ?? [];
  list.push(e);
  idx.byTo.set(e.to, list);
}

export function readOutbox(file: string, to?: string): OutboxEntry[] {
  // The whole outbox (rare, no `to`) is read from the file rather than kept twice in memory.
  if (to === undefined) return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as OutboxEntry) : [];
  return [...(index(file).byTo.get(to) ?? [])];
}

/** Forgets what this process knows of the file (the local stack empties it on an in-memory start). */
export function resetOutboxIndex(file: string): void {
  indexes.delete(file);
}
