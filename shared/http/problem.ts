import type { APIGatewayProxyResult } from 'aws-lambda';
import { AppError, isTransientDependencyError, ServiceUnavailable } from '../errors.ts';
import { securityHeaders } from './headers.ts';

/** RFC 9457 problem details: the only place an error becomes a response. */
export function toProblem(error: unknown): APIGatewayProxyResult {
  if (error instanceof AppError) {
    return problemResponse(error.status, { title: error.title, code: error.code, ...error.extra }, error.headers);
  }
  if (isTransientDependencyError(error)) return toProblem(new ServiceUnavailable());
  // Anything else is ours to fix: a fixed text, never the error's own message or stack.
  return problemResponse(500, { title: 'Internal error', code: 'internal_error' });
}

export function problemResponse(
  status: number,
  body: { title: string; code: string } & Record<string, unknown>,
  headers: Record<string, string> = {},
): APIGatewayProxyResult {
  return {
    statusCode: status,
    headers: { ...securityHeaders(), 'Content-Type': 'application/problem+json', ...headers },
    body: JSON.stringify({ type: 'about:blank', status, ...body }),
  };
}
