import { api, ok } from '#shared/http/api';
import { idempotent } from '#shared/http/idempotency';
import { SCOPES } from '#shared/http/scopes';
import { parseWith } from '#shared/http/validate';
import { issueOtp } from '#shared/otp/issue';
import { IssueOtpRequest } from '#shared/otp/schemas';
import { otpDeps } from '#shared/wiring/runtime';

/** POST /v1/otp: start a verification and text the code. */
export const handler = api({ scope: SCOPES.otpSend }).handler(async (event, context) => {
  const input = parseWith(IssueOtpRequest, event.json);
  const deps = await otpDeps();
  const issued = await idempotent(event, context, 'issue-otp', { body: input, keys: deps.keys }, () => issueOtp(deps, event.caller.clientId, input));
  return ok(issued, 201);
});
