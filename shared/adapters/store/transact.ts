import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TransactItem } from './rate-limit-ops.ts';

/**
 * A transaction whose conditions say "still as read": true when it committed, false when a
 * condition failed (another writer got there first); any other failure throws.
 */
export async function transactIfUnchanged(doc: DynamoDBDocumentClient, items: TransactItem[]): Promise<boolean> {
  try {
    await doc.send(new TransactWriteCommand({ TransactItems: items }));
    return true;
  } catch (error) {
    if (error instanceof TransactionCanceledException && error.CancellationReasons?.some((r) => r.Code === 'ConditionalCheckFailed')) return false;
    throw error;
  }
}
