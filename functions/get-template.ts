import { api, ok } from '#shared/http/api';
import { pathId } from '#shared/http/path';
import { SCOPES } from '#shared/http/scopes';
import { templateDeps } from '#shared/wiring/runtime';
import { getTemplate } from '#shared/templates/template';

/** GET /v1/templates/{id}: the template and every version, with who wrote and who approved it. */
export const handler = api({ scope: SCOPES.templatesWrite }).handler(async (event) => ok(await getTemplate(templateDeps(), pathId(event))));
