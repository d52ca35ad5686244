import { TemplateRequired, ValidationFailed } from '../errors.ts';
import { renderFromTemplate, type TemplateStore } from '../templates/template.ts';
import type { SendMessageRequest } from './schemas.ts';

/** Deploy setting: where a free `body` is refused and an approved template is required. */
export type TemplatePolicy = 'none' | 'promotional' | 'all';

export type MessageContent = { body: string; category: 'transactional' | 'promotional'; templateId?: string; templateVersion?: number };

/**
 * What a message says: its free `body`, or the latest approved version of its template filled in.
 * The template decides the category; a free body where the policy wants a template is `403
 * template_required`.
 */
export async function messageContent(deps: { templates: TemplateStore; requireApprovedTemplates: TemplatePolicy }, input: SendMessageRequest): Promise<MessageContent> {
  if (input.templateId) {
    const t = await renderFromTemplate(deps.templates, input.templateId, input.variables ?? {});
    if (input.category && input.category !== t.category) throw new ValidationFailed([{ path: 'category', message: 'The template\'s category is another' }]);
    if (input.delivery === 'direct' && t.text.length > 612) throw new ValidationFailed([{ path: 'variables', message: 'At most 612 characters for direct delivery, filled in' }]);
    return { body: t.text, category: t.category, templateId: input.templateId, templateVersion: t.version };
  }
  const category = input.category ?? 'transactional';
  const policy = deps.requireApprovedTemplates;
  if (policy === 'all' || (policy === 'promotional' && category === 'promotional')) throw new TemplateRequired(category);
  return { body: input.body!, category };
}
