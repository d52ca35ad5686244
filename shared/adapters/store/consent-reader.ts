import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConsentCheckFailed, consentError, type ConsentState } from '../../consent/guard.ts';
import { consentKey } from './consent-guard.ts';

/** Turns a failed consent condition into the answer the caller sees (opted out, or no opt-in). */
export async function explainConsentFailure(doc: DynamoDBDocumentClient, tableName: string, error: unknown): Promise<never> {
  if (!(error instanceof ConsentCheckFailed)) throw error;
  const out = await doc.send(new GetCommand({ TableName: tableName, Key: consentKey(error.subjectIndex), ConsistentRead: true }));
  throw consentError(out.Item as ConsentState | undefined, error.kind, error.channel);
}
