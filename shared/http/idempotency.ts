import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { IdempotencyAlreadyInProgressError, IdempotencyValidationError } from '@aws-lambda-powertools/idempotency';
import type { Context } from 'aws-lambda';
import { IdempotencyInProgress, IdempotencyKeyReused, ValidationFailed } from '../errors.ts';
import { config } from '../wiring/config.ts';
import { dynamoClients } from '../wiring/runtime.ts';
import { requestHeader, type ApiEvent } from './api.ts';
import { hmac } from '../crypto/hmac.ts';
import type { SecretKeys } from '../crypto/secret-keys.ts';

/**
 * `Idempotency-Key` on the POSTs that send SMS (Powertools idempotency): a repeat with the same key
 * and body returns the first answer and sends nothing; the same key with another body is 409.
 * Keys are scoped per client and operation, so two apps can't collide or read each other's answers.
 * The records hold keyed hashes only: Powertools would keep an unkeyed MD5 of whatever it is given,
 * and a number (10^6 candidates) or a short body is found again from that in a moment. So it sees
 * an HMAC of the key and of the canonical request, never either; the answer it keeps holds masks.
 * Records expire with the 24 h window (the table's TTL), and erasure needs nothing from them.
 */
const KEY = /^[\x21-\x7e]{1,128}$/;

let persistence: DynamoDBPersistenceLayer | undefined;

export async function idempotent<T extends Record<string, unknown>>(
  event: ApiEvent,
  context: Context,
  operation: string,
  request: { body: unknown; keys: Pick<SecretKeys, 'blindIndexKey'> },
  run: () => Promise<T>,
): Promise<T> {
  const key = requestHeader(event, 'idempotency-key');
  if (key === undefined) return run();
  if (!KEY.test(key)) throw new ValidationFailed([{ path: 'Idempotency-Key', message: 'Must be 1 to 128 printable ASCII characters' }]);

  const tableName = config().IDEMPOTENCY_TABLE_NAME;
  if (!tableName) throw new Error('IDEMPOTENCY_TABLE_NAME is not configured for this function');
  persistence ??= new DynamoDBPersistenceLayer({
    tableName,
    awsSdkV3Client: dynamoClients().raw,
  });
  const idempotencyConfig = new IdempotencyConfig({
    eventKeyJmesPath: 'key',
    payloadValidationJmesPath: 'request',
    expiresAfterSeconds: 24 * 3600,
  });
  idempotencyConfig.registerLambdaContext(context);
  const once = makeIdempotent(async (_payload: { key: string; request: unknown }) => run(), {
    persistenceStore: persistence,
    config: idempotencyConfig,
  });
  try {
    const scope = [event.caller.clientId, operation];
    return await once({
      key: hmac(request.keys.blindIndexKey, 'idempotency-key', ...scope, key),
      request: hmac(request.keys.blindIndexKey, 'idempotency-request', ...scope, canonicalJson(request.body)),
    });
  } catch (error) {
    if (error instanceof IdempotencyValidationError) throw new IdempotencyKeyReused();
    if (error instanceof IdempotencyAlreadyInProgressError) throw new IdempotencyInProgress();
    throw error;
  }
}

/** JSON with object keys sorted at every level: the same request always hashes alike. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
