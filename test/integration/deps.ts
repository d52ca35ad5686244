import { inject } from 'vitest';
import { createDocumentClient } from '#shared/store/client';
import { DynamoVerificationStore } from '#shared/store/verification-store';
import { fakeOtpDeps } from '../support/fake-otp-deps.ts';
import { INTEGRATION_TABLES } from './tables.ts';

process.env.AWS_REGION ??= 'local';
process.env.AWS_ACCESS_KEY_ID ??= 'local';
process.env.AWS_SECRET_ACCESS_KEY ??= 'local';

/** The OTP domain wired to the real DynamoDB adapter on DynamoDB Local; SMS and keys stay in memory. */
export function dynamoOtpDeps() {
  const { doc } = createDocumentClient(inject('dynamoEndpoint'));
  const store = new DynamoVerificationStore(doc, INTEGRATION_TABLES.Data);
  const fake = fakeOtpDeps({ store });
  return { ...fake, store, doc };
}
