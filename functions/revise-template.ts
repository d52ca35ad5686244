import { api, ok } from '#shared/http/api';
import { pathId } from '#shared/http/path';
import { SCOPES } from '#shared/http/scopes';
import { parseWith } from '#shared/http/validate';
import { templateDeps } from '#shared/wiring/runtime';
import { ReviseTemplateRequest } from '#shared/templates/schemas';
import { reviseTemplate } from '#shared/templates/template';

/** PUT /v1/templates/{id}: a new draft version; approved versions never change. */
export const handler = api({ scope: SCOPES.templatesWrite }).handler(async (event) => {
  const input = parseWith(ReviseTemplateRequest, event.json);
  return ok(await reviseTemplate(templateDeps(), event.caller.clientId, pathId(event), input));
});
