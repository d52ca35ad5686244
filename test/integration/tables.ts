export const INTEGRATION_TABLES = { Data: 'it-data', Idempotency: 'it-idempotency' } as const;
