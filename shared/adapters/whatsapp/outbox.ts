import type { WhatsAppSender } from '../../channels/senders.ts';
import { whatsappCodeWords, type WhatsAppTemplateMessage } from '../../channels/whatsapp-message.ts';
import { appendToOutbox } from '../sms/outbox.ts';

/**
 * The local stack's WhatsApp: the outbox, with the text the person would see (Meta's
 * authentication template, whose words Meta fixes; the copy-code button named).
 */
export class OutboxWhatsApp implements WhatsAppSender {
  constructor(private readonly file: string, private readonly print?: (line: string) => void) {}

  async send(m: { message: WhatsAppTemplateMessage }): Promise<{ messageId: string }> {
    const code = m.message.template.components[0].parameters[0].text;
    const locale = m.message.template.language.code === 'de' ? 'de' : 'en';
    const text = `${whatsappCodeWords(locale, code)}\n[${locale === 'de' ? 'Code kopieren' : 'Copy code'}]`;
    return { messageId: appendToOutbox(this.file, { to: m.message.to, text, channel: 'whatsapp' }, this.print).id };
  }
}
