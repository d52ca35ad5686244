import type { TestProject } from 'vitest/node';
import { ensureTables, startDynamoDbLocal } from '../../infra/local/dynamodb.ts';
import { INTEGRATION_TABLES } from './tables.ts';

/** One in-memory DynamoDB Local for the integration suite, tables from the shared definitions. */
export default async function setup(project: TestProject) {
  const dynamo = await startDynamoDbLocal();
  await ensureTables(dynamo.endpoint, INTEGRATION_TABLES);
  project.provide('dynamoEndpoint', dynamo.endpoint);
  return () => dynamo.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
  }
}
