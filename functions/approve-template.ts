import { api, ok } from '#shared/http/api';
import { pathId } from '#shared/http/path';
import { SCOPES } from '#shared/http/scopes';
import { parseWith } from '#shared/http/validate';
import { ValidationFailed } from '#shared/errors';
import { templateDeps } from '#shared/wiring/runtime';
import { ApproveTemplateRequest } from '#shared/templates/schemas';
import { approveTemplate } from '#shared/templates/template';

/** POST /v1/templates/{id}/versions/{version}/approve: maker-checker, by a client other than the version's author. */
export const handler = api({ scope: SCOPES.templatesApprove }).handler(async (event) => {
  parseWith(ApproveTemplateRequest, event.json ?? {});
  const version = Number(event.pathParameters?.version);
  if (!Number.isInteger(version) || version < 1 || version > 999_999) throw new ValidationFailed([{ path: 'version', message: 'A version number' }]);
  return ok(await approveTemplate(templateDeps(), event.caller.clientId, pathId(event), version));
});
