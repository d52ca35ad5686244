import { api, ok } from '#shared/http/api';
import { SCOPES } from '#shared/http/scopes';
import { parseWith } from '#shared/http/validate';
import { templateDeps } from '#shared/wiring/runtime';
import { CreateTemplateRequest } from '#shared/templates/schemas';
import { createTemplate } from '#shared/templates/template';

/** POST /v1/templates: a new template, its text as draft version 1 (audited). */
export const handler = api({ scope: SCOPES.templatesWrite }).handler(async (event) => {
  const input = parseWith(CreateTemplateRequest, event.json);
  return ok(await createTemplate(templateDeps(), event.caller.clientId, input), 201);
});
