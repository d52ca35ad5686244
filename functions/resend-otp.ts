import { api, ok } from '#shared/http/api';
import { SCOPES } from '#shared/http/scopes';
import { parseWith } from '#shared/http/validate';
import { metrics } from '#shared/adapters/observability/powertools';
import { resendOtp } from '#shared/otp/manage';
import { ResendOtpRequest } from '#shared/otp/schemas';
import { otpDeps } from '#shared/wiring/runtime';
import { pathId } from '#shared/http/path';

/** POST /v1/otp/{id}/resend: a new code replaces the old one. */
export const handler = api({ scope: SCOPES.otpSend }).handler(async (event) => {
  const input = parseWith(ResendOtpRequest, event.json);
  const resent = await resendOtp(await otpDeps(), event.caller.clientId, pathId(event), input);
  metrics.addMetric('OtpResent', 'Count', 1);
  return ok(resent);
});
