export const INTEGRATION_TABLES = { Data: 'it-data', Idempotency: 'it-idempotency', Audit: 'it-audit' } as const;
/** A second set, so the test that tampers with the audit chain can't disturb the others running beside it. */
export const TAMPER_TABLES = { Data: 'it-tamper-data', Idempotency: 'it-tamper-idempotency', Audit: 'it-tamper-audit' } as const;
