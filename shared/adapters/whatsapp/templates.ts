import { CreateWhatsAppMessageTemplateCommand, ListWhatsAppMessageTemplatesCommand, type SocialMessagingClient } from '@aws-sdk/client-socialmessaging';
import { authenticationTemplate, TEMPLATE_LOCALES, utilityTemplates } from '../../channels/whatsapp-message.ts';

/**
 * Creates the authentication templates codes are sent with, one per locale, in the business's
 * WhatsApp Business Account, leaving any that exist alone (Meta reviews a new template; its status
 * shows here until it is APPROVED). Run by `npm run whatsapp:templates`.
 */
export async function ensureAuthenticationTemplates(
  client: SocialMessagingClient,
  wabaId: string,
  options: { prefix: string; expiryMinutes: number; /** Sealed messages' utility templates, with the stage's public base URL. */ utility?: { notice: string; direct: string; publicBaseUrl: string } },
) {
  const existing = new Map<string, string>();
  for (let nextToken: string | undefined; ;) {
    const page = await client.send(new ListWhatsAppMessageTemplatesCommand({ id: wabaId, ...(nextToken ? { nextToken } : {}) }));
    for (const t of page.templates ?? []) if (t.templateName) existing.set(`${t.templateName}/${t.templateLanguage ?? ''}`, t.templateStatus ?? 'UNKNOWN');
    nextToken = page.nextToken;
    if (!nextToken) break;
  }
  const results: { name: string; language: string; status: string; created: boolean }[] = [];
  const wanted = [
    ...TEMPLATE_LOCALES.map((locale) => authenticationTemplate(options.prefix, locale, options.expiryMinutes)),
    ...(options.utility ? utilityTemplates(options.utility, options.utility.publicBaseUrl) : []),
  ];
  for (const template of wanted) {
    const status = existing.get(`${template.name}/${template.language}`);
    if (status) {
      results.push({ name: template.name, language: template.language, status, created: false });
      continue;
    }
    const out = await client.send(new CreateWhatsAppMessageTemplateCommand({ id: wabaId, templateDefinition: new TextEncoder().encode(JSON.stringify(template)) }));
    results.push({ name: template.name, language: template.language, status: out.templateStatus ?? 'PENDING', created: true });
  }
  return results;
}
