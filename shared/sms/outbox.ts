import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { maskPhone } from '../phone/phone.ts';
import type { Sms, SmsSender } from './sender.ts';

/**
 * The local stack's SMS provider: appends each SMS to a JSON-lines file (read back by
 * GET /_local/outbox) and prints it, since on a developer's machine the console is the phone.
 */
export type OutboxEntry = { id: string; to: string; text: string; at: string };

export class OutboxSender implements SmsSender {
  constructor(private readonly file: string, private readonly print: (line: string) => void = defaultPrint) {}

  async send(sms: Sms): Promise<{ messageId: string }> {
    const entry: OutboxEntry = { id: randomUUID(), to: sms.to, text: sms.text, at: new Date().toISOString() };
    appendFileSync(this.file, `${JSON.stringify(entry)}\n`);
    this.print(`[outbox] SMS to ${maskPhone(sms.to)}:\n${sms.text.replace(/^/gm, '[outbox]   ')}`);
    return { messageId: entry.id };
  }
}

function defaultPrint(line: string) {
  process.stdout.write(`${line}\n`);
}

export function readOutbox(file: string, to?: string): OutboxEntry[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as OutboxEntry)
    .filter((e) => to === undefined || e.to === to);
}
