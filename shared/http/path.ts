import type { APIGatewayProxyEvent } from 'aws-lambda';
import { ID_PATTERN } from '../crypto/ids.ts';
import { NotFound } from '../errors.ts';

/** The `{id}` path parameter; anything that can't be one of our ids is simply not found. */
export function verificationId(event: APIGatewayProxyEvent): string {
  const id = event.pathParameters?.id;
  if (!id || !ID_PATTERN.test(id)) throw new NotFound();
  return id;
}
