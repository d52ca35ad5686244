import { putBlock } from '#shared/fraud/manage';
import { PutFraudBlockRequest } from '#shared/fraud/schemas';
import { api, ok } from '#shared/http/api';
import { SCOPES } from '#shared/http/scopes';
import { parseWith } from '#shared/http/validate';
import { fraudOpsDeps } from '#shared/wiring/runtime';

/** PUT /v1/fraud/blocks: block a range or pause a country by hand, for `hours`; audited. */
export const handler = api({ scope: SCOPES.fraudManage }).handler(async (event) => {
  const input = parseWith(PutFraudBlockRequest, event.json);
  return ok(await putBlock(await fraudOpsDeps(), event.caller.clientId, input));
});
