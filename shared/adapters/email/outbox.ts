import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EmailSender, OutgoingEmail } from '../../channels/senders.ts';
import { toMime } from '../../email/mime.ts';
import { appendToOutbox } from '../sms/outbox.ts';

/**
 * The local stack's e-mail: the outbox (the plain-text part, with the subject and the HTML part
 * beside it) and an `.eml` file per message under `mailDir`, which any mail client opens.
 */
export class OutboxEmail implements EmailSender {
  constructor(private readonly file: string, private readonly mailDir: string, private readonly from: string, private readonly print?: (line: string) => void) {}

  async send(m: OutgoingEmail): Promise<{ messageId: string }> {
    const entry = appendToOutbox(this.file, { to: m.to, text: m.text, channel: 'email', subject: m.subject, html: m.html, ...(m.headers?.length ? { headers: Object.fromEntries(m.headers.map((h) => [h.name, h.value])) } : {}) }, this.print);
    mkdirSync(this.mailDir, { recursive: true });
    const mime = toMime({ ...m, from: this.from, messageId: `${entry.id}@sealtext.local`, date: new Date(entry.at) }, `sealtext-${randomUUID()}`);
    writeFileSync(join(this.mailDir, `${entry.at.replace(/[:.]/g, '-')}-${entry.id}.eml`), mime);
    return { messageId: entry.id };
  }
}
