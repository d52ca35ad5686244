import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));
export const handler = async (event: { id?: string }) => {
  const out = await doc.send(new GetCommand({ TableName: process.env.TABLE ?? 't', Key: { pk: event.id ?? 'x' } }));
  return { statusCode: 200, body: JSON.stringify(out.Item ?? {}) };
};
