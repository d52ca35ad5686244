import { api, ok } from '#shared/http/api';
import { SCOPES } from '#shared/http/scopes';
import { parseWith } from '#shared/http/validate';
import { VerifyOtpRequest } from '#shared/otp/schemas';
import { verifyOtp } from '#shared/otp/verify';
import { verifyDeps } from '#shared/wiring/runtime';
import { pathId } from '#shared/http/path';

/** POST /v1/otp/{id}/verify: check a code; single use. */
export const handler = api({ scope: SCOPES.otpVerify }).handler(async (event) => {
  const input = parseWith(VerifyOtpRequest, event.json);
  const approved = await verifyOtp(await verifyDeps(), event.caller.clientId, pathId(event), input);
  return ok(approved);
});
