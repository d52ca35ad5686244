import { api, ok } from '#shared/http/api';
import { SCOPES } from '#shared/http/scopes';
import { metrics } from '#shared/adapters/observability/powertools';
import { getOtp } from '#shared/otp/manage';
import { otpStoreDeps } from '#shared/wiring/runtime';
import { pathId } from '#shared/http/path';

/** GET /v1/otp/{id}: the verification's status, never its code. */
export const handler = api({ scope: SCOPES.otpVerify }).handler(async (event) => {
  const view = await getOtp(otpStoreDeps(), event.caller.clientId, pathId(event));
  metrics.addMetric('OtpRead', 'Count', 1);
  return ok(view);
});
