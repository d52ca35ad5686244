import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

type WriteRequest = { PutRequest: { Item: Record<string, unknown> } } | { DeleteRequest: { Key: Record<string, unknown> } };

/**
 * Every request, 25 a call, the unprocessed ones (throttling) tried again with backoff; throws
 * `failure` if DynamoDB still refuses some after 9 tries.
 */
export async function batchWriteAll(doc: DynamoDBDocumentClient, tableName: string, requests: readonly WriteRequest[], failure: string): Promise<void> {
  for (let i = 0; i < requests.length; i += 25) {
    let batch = requests.slice(i, i + 25);
    for (let attempt = 0; batch.length; attempt++) {
      const out = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: [...batch] } }));
      batch = (out.UnprocessedItems?.[tableName] ?? []) as WriteRequest[];
      if (batch.length && attempt > 8) throw new Error(failure);
      if (batch.length) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
    }
  }
}
