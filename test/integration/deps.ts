import { inject } from 'vitest';
import { DynamoAuditLog } from '#shared/store/audit-store';
import { DynamoAuditReader } from '#shared/store/audit-reader';
import { createDocumentClient } from '#shared/store/client';
import { DynamoMessageStore } from '#shared/store/message-store';
import { DynamoConsentStore } from '#shared/store/consent-store';
import type { MessageDeps } from '#shared/messages/deps';
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

/** The messages domain on DynamoDB Local, with a real audit log; SMS and keys in memory. */
export function dynamoMessageDeps(names: { Data: string; Audit: string } = INTEGRATION_TABLES) {
  const { doc } = createDocumentClient(inject('dynamoEndpoint'));
  const fake = fakeOtpDeps();
  const tables = { audit: names.Audit, data: names.Data };
  const store = new DynamoMessageStore(doc, names.Data);
  const deps: MessageDeps = {
    store,
    envelope: fake.deps.envelope,
    keys: fake.deps.keys,
    sms: fake.sms,
    audit: new DynamoAuditLog(doc, tables, 400),
    consent: new DynamoConsentStore(doc, names.Data),
    limits: fake.deps.limits,
    signals: fake.signals,
    allowedCountries: fake.deps.allowedCountries,
    publicBaseUrl: 'https://sealtext.example',
    now: () => fake.clock.now,
  };
  return { deps, store, sms: fake.sms, clock: fake.clock, doc, audit: new DynamoAuditReader(doc, tables) };
}
