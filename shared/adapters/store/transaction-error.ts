import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';

/** A transaction refused because its first item's condition failed (the write "already happened"), not a fault. */
export const firstConditionFailed = (error: unknown): boolean =>
  error instanceof TransactionCanceledException && error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed';
