import { api, ok } from '#shared/http/api';
import { SCOPES } from '#shared/http/scopes';
import { templateDeps } from '#shared/wiring/runtime';
import { listTemplates } from '#shared/templates/template';

/** GET /v1/templates: every template of the business (the checker must see what the maker wrote). */
export const handler = api({ scope: SCOPES.templatesWrite }).handler(async () => ok(await listTemplates(templateDeps())));
