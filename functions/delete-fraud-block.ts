import { liftBlock } from '#shared/fraud/manage';
import { BlockPath } from '#shared/fraud/schemas';
import { api, ok } from '#shared/http/api';
import { SCOPES } from '#shared/http/scopes';
import { NotFound } from '#shared/errors';
import { fraudOpsDeps } from '#shared/wiring/runtime';

/** DELETE /v1/fraud/blocks/{kind}/{key}: lift a block; audited. Unknown or malformed: 404. */
export const handler = api({ scope: SCOPES.fraudManage }).handler(async (event) => {
  const path = BlockPath.safeParse(event.pathParameters ?? {});
  if (!path.success) throw new NotFound();
  return ok(await liftBlock(await fraudOpsDeps(), event.caller.clientId, path.data.kind, path.data.key));
});
