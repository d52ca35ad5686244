import { api, ok } from '#shared/http/api';
import { SCOPES } from '#shared/http/scopes';
import { cancelOtp } from '#shared/otp/manage';
import { otpDeps } from '#shared/runtime';
import { verificationId } from '#shared/http/path';

/** DELETE /v1/otp/{id}: cancel a pending verification. */
export const handler = api({ scope: SCOPES.otpSend }).handler(async (event) =>
  ok(await cancelOtp(await otpDeps(), event.caller.clientId, verificationId(event))),
);
