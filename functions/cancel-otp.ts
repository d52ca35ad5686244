import { api, ok } from '#shared/http/api';
import { SCOPES } from '#shared/http/scopes';
import { metrics } from '#shared/adapters/observability/powertools';
import { cancelOtp } from '#shared/otp/manage';
import { otpStoreDeps } from '#shared/wiring/runtime';
import { pathId } from '#shared/http/path';

/** DELETE /v1/otp/{id}: cancel a pending verification. */
export const handler = api({ scope: SCOPES.otpSend }).handler(async (event) => {
  const canceled = await cancelOtp(otpStoreDeps(), event.caller.clientId, pathId(event));
  metrics.addMetric('OtpCanceled', 'Count', 1);
  return ok(canceled);
});
