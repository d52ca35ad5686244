import type { OtpDeps } from '#shared/otp/deps';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { LocalSealArchive } from '#shared/adapters/archive/seal-archives';
import { sealOnce } from '#shared/audit/sealer';
import { verifyAuditTrail } from '#shared/audit/trail';
import { ensureLocalSigningKey, LocalSealSigner } from '#shared/adapters/crypto/seal-signers';
import type { MessageDeps } from '#shared/messages/deps';
import { AuditItems } from '#shared/adapters/store/audit-items';
import { DynamoAuditTrailStore } from '#shared/adapters/store/audit-trail-store';
import { createDocumentClient } from '#shared/adapters/store/client';
import { DynamoConsentStore } from '#shared/adapters/store/consent-store';
import { DynamoFraudStore } from '#shared/adapters/store/fraud-store';
import { DynamoMessageStore } from '#shared/adapters/store/message-store';
import { DynamoVerificationStore } from '#shared/adapters/store/verification-store';
import { DynamoTemplateStore } from '#shared/adapters/store/template-store';
import { ensureTables } from '../../infra/local/dynamodb.ts';
import { fakeOtpDeps } from '../support/fake-otp-deps.ts';
import { INTEGRATION_TABLES } from './tables.ts';

process.env.AWS_REGION ??= 'local';
process.env.AWS_ACCESS_KEY_ID ??= 'local';
process.env.AWS_SECRET_ACCESS_KEY ??= 'local';

export type TableNames = { Data: string; Idempotency: string; Audit: string; ArchiveOutbox: string };

/** A table set of its own, for tests that seal or tamper with the whole trail. */
export async function freshTables(prefix: string): Promise<TableNames> {
  const suffix = Math.random().toString(36).slice(2, 8);
  const names = { Data: `${prefix}-data-${suffix}`, Idempotency: `${prefix}-idem-${suffix}`, Audit: `${prefix}-audit-${suffix}`, ArchiveOutbox: `${prefix}-archive-outbox-${suffix}` };
  await ensureTables(inject('dynamoEndpoint'), names);
  return names;
}

/** The audit trail on DynamoDB Local: writer, reader, a signing key and an archive folder of its own. */
export function auditTrail(auditTable: string, now: () => number = Date.now) {
  const { doc } = createDocumentClient(inject('dynamoEndpoint'));
  const dir = mkdtempSync(join(tmpdir(), 'sealtext-audit-'));
  const keyFile = join(dir, 'signing-key.pem');
  ensureLocalSigningKey(keyFile);
  const signer = new LocalSealSigner(keyFile);
  const archive = new LocalSealArchive(join(dir, 'seals'));
  const store = new DynamoAuditTrailStore(doc, auditTable);
  return {
    doc,
    items: new AuditItems(doc, auditTable, 400, now),
    store,
    signer,
    archive,
    archiveDir: join(dir, 'seals'),
    seal: (at: () => number = now) => sealOnce({ store, signer, archive, retentionDays: 400, now: at }),
    verify: (at: () => number = now) => verifyAuditTrail({ store, key: signer, archive, now: at }),
    /** Every event and seal, read through the verifier's own pieces (for tests that tamper with them). */
    all: () => readWholeTrail(store),
  };
}

/** The whole trail in memory: for tests on small trails only (the verifier itself reads it hour by hour). */
export async function readWholeTrail(store: DynamoAuditTrailStore) {
  const events = (await Promise.all((await store.eventHours()).map((h) => store.eventsInHour(h)))).flat();
  const seals = [];
  for await (const seal of store.sealsInOrder()) seals.push(seal);
  return { events, seals };
}

/** The OTP domain wired to the real DynamoDB adapter on DynamoDB Local; SMS and keys stay in memory. */
export function dynamoOtpDeps(names: TableNames = INTEGRATION_TABLES, overrides: Partial<OtpDeps> = {}) {
  const trail = auditTrail(names.Audit);
  const store = new DynamoVerificationStore(trail.doc, names.Data, trail.items);
  const fraud = new DynamoFraudStore(trail.doc, names.Data, trail.items);
  const fake = fakeOtpDeps({ store, audit: trail.items, fraud, ...overrides });
  return { ...fake, store, fraud, doc: trail.doc, trail };
}

/** The messages domain on DynamoDB Local, with the real audit trail; SMS and keys in memory. */
export function dynamoMessageDeps(names: TableNames = INTEGRATION_TABLES) {
  const trail = auditTrail(names.Audit);
  const fake = fakeOtpDeps();
  const store = new DynamoMessageStore(trail.doc, names.Data, trail.items, names.ArchiveOutbox);
  const deps: MessageDeps = {
    store,
    envelope: fake.deps.envelope,
    keys: fake.deps.keys,
    sms: fake.sms,
    audit: trail.items,
    consent: new DynamoConsentStore(trail.doc, names.Data, trail.items),
    limits: fake.deps.limits,
    signals: fake.signals,
    allowedCountries: fake.deps.allowedCountries,
    publicBaseUrl: 'https://sealtext.example',
    templates: new DynamoTemplateStore(trail.doc, names.Data, trail.items),
    // The domain tests send promotional bodies freely; the template policy has tests of its own.
    requireApprovedTemplates: 'none',
    archivePolicy: { categories: [], retentionDays: 0 },
    now: () => fake.clock.now,
  };
  return { deps, store, sms: fake.sms, clock: fake.clock, doc: trail.doc, trail };
}
