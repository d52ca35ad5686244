export const INTEGRATION_TABLES = { Data: 'it-data', Idempotency: 'it-idempotency', Audit: 'it-audit', ArchiveOutbox: 'it-archive-outbox' } as const;
