import type { SenderDeps } from '../sender-deps.ts';
import type { MessageStore } from './store.ts';
import type { TemplateStore } from '../templates/template.ts';
import type { TemplatePolicy } from './content.ts';

export type MessageDeps = SenderDeps & {
  store: MessageStore;
  /** Approved templates, and where a free body is refused (deploy setting requireApprovedTemplates). */
  templates: TemplateStore;
  requireApprovedTemplates: TemplatePolicy;
  /** Where the recipient page is served, e.g. https://api.example.com/prod */
  publicBaseUrl: string;
};
