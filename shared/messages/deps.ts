import type { EmailSender, WhatsAppSender } from '../channels/senders.ts';
import type { SenderDeps } from '../sender-deps.ts';
import type { MessageStore } from './store.ts';
import type { TemplateStore } from '../templates/template.ts';
import type { TemplatePolicy } from './content.ts';
import type { ArchivePolicy } from './archive.ts';

export type MessageDeps = SenderDeps & {
  store: MessageStore;
  /** Approved templates, and where a free body is refused (deploy setting requireApprovedTemplates). */
  templates: TemplateStore;
  requireApprovedTemplates: TemplatePolicy;
  /** Which categories the retention archive keeps, for how long (deploy setting `archive`). */
  archivePolicy?: ArchivePolicy;
  /** Where the recipient page is served, e.g. https://api.example.com/prod */
  publicBaseUrl: string;
  /** E-mail, where the deployment configures it (API 1.2). */
  email?: EmailSender;
  /** WhatsApp, where the deployment links a number (API 1.2): the notice's and direct's utility templates, the open code's authentication template. */
  whatsapp?: { sender: WhatsAppSender; templatePrefix: string; noticeTemplate: string; directTemplate: string };
};

/** Opening texts no one and renders no template: its bundle carries neither the SMS client nor the template store. */
export type OpenDeps = Pick<MessageDeps, 'now' | 'store' | 'envelope' | 'keys' | 'limits' | 'audit' | 'signals'>;
