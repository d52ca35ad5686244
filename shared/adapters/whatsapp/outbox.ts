import type { WhatsAppSender } from '../../channels/senders.ts';
import type { WhatsAppTemplateMessage } from '../../channels/whatsapp-message.ts';
import { appendToOutbox } from '../sms/outbox.ts';

/**
 * The local stack's WhatsApp: the outbox, with the words the person would see (Meta renders them
 * from the approved template) and, for a copy-code or link button, the button.
 */
export class OutboxWhatsApp implements WhatsAppSender {
  constructor(private readonly file: string, private readonly print?: (line: string) => void) {}

  async send(m: { message: WhatsAppTemplateMessage; text: string }): Promise<{ messageId: string }> {
    return { messageId: appendToOutbox(this.file, { to: m.message.to, text: m.text, channel: 'whatsapp' }, this.print).id };
  }
}
