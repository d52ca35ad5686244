import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { QueryCommand, UpdateCommand, type DynamoDBDocumentClient, type QueryCommandInput, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';

/** On success the item the write returned; on a failed condition the item as it was (or undefined). */
export type Conditional<T> = { ok: true; item: T } | { ok: false; current: T | undefined };

/**
 * One conditional UpdateItem. A failed condition is an answer, not an error: DynamoDB returns the
 * item as it was in the same round trip, so the caller can say why without reading again.
 */
export async function conditionalUpdate<T>(
  doc: DynamoDBDocumentClient,
  input: Omit<UpdateCommandInput, 'ReturnValues' | 'ReturnValuesOnConditionCheckFailure'> & { ReturnValues: 'ALL_OLD' | 'ALL_NEW' },
  fromItem: (item: Record<string, unknown> | undefined) => T | undefined,
): Promise<Conditional<T>> {
  try {
    const out = await doc.send(new UpdateCommand({ ...input, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }));
    return { ok: true, item: fromItem(out.Attributes)! };
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return { ok: false, current: fromItem(error.Item ? unmarshall(error.Item) : undefined) };
    throw error;
  }
}

/** Every page of a Query. */
export async function queryAll(doc: DynamoDBDocumentClient, input: Omit<QueryCommandInput, 'ExclusiveStartKey'>): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await doc.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}
