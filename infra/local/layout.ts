import { join, resolve } from 'node:path';

/** Where the local stack keeps its state (default `.local/` in the repo). */
export function localLayout(dir: string) {
  const root = resolve(dir);
  return {
    root,
    keysFile: join(root, 'keys.json'),
    clientsFile: join(root, 'clients.json'),
    tokenKeyFile: join(root, 'token-signing.key'),
    outboxFile: join(root, 'outbox.jsonl'),
    /** EMF metrics the functions emitted (CloudWatch's stand-in). */
    metricsFile: join(root, 'metrics.jsonl'),
    dynamoDir: join(root, 'dynamodb'),
    /** The audit seal signing key (P-256, PEM) and the write-once seal archive. */
    signingKeyFile: join(root, 'audit-signing-key.pem'),
    sealsDir: join(root, 'seals'),
    /** The retention archive's stand-in (transactional messages, 30 days). */
    archiveDir: join(root, 'archive'),
    /** Every e-mail as an `.eml` file a mail client opens. */
    mailDir: join(root, 'mail'),
    /** The events the stack put on its stand-in for the EventBridge bus. */
    busFile: join(root, 'bus.jsonl'),
    /** Written while the stack runs: its URL and DynamoDB Local endpoint. */
    stackFile: join(root, 'stack.json'),
  };
}

export const LOCAL_TABLE_NAMES = { Data: 'sealtext-local-data', Idempotency: 'sealtext-local-idempotency', Audit: 'sealtext-local-audit', ArchiveOutbox: 'sealtext-local-archive-outbox' } as const;
