import type { APIGatewayProxyEvent } from 'aws-lambda';
import { ID_PATTERN } from '../crypto/ids.ts';
import { NotFound } from '../errors.ts';

/** The `{id}` path parameter; anything that can't be one of our ids is simply not found. */
export function pathId(event: APIGatewayProxyEvent): string {
  const id = event.pathParameters?.id;
  if (!id || !ID_PATTERN.test(id)) throw new NotFound();
  return id;
}

/** The `{token}` of a recipient link; its shape is checked where it is hashed. */
export function linkToken(event: APIGatewayProxyEvent): string {
  const token = event.pathParameters?.token;
  if (!token) throw new NotFound();
  return token;
}

/** The `{phone}` of the subject routes, as the caller encoded it (`%2B44...` or `+44...`). */
export function phonePath(event: APIGatewayProxyEvent): string {
  return decodePathSegment(event.pathParameters?.phone ?? '');
}

/** A path segment decoded, or as sent when its escapes are malformed (`%ZZ`): never a throw, so never a 500. */
export function decodePathSegment(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}
