import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import {
  AppError, DeliveryFailed, DestinationNotAllowed, InsufficientScope, isTransientDependencyError, MalformedJson, PayloadTooLarge, RateLimited, Unauthorized, UnsupportedMediaType,
} from '../errors.ts';
import { SIGNAL } from '../fraud/signals.ts';
import { logger, metrics, powertoolsSignals } from '../adapters/observability/powertools.ts';
import { securityHeaders } from './headers.ts';
import { toProblem } from './problem.ts';
import type { Scope } from './scopes.ts';

const MAX_BODY_BYTES = 16 * 1024;

/** The caller's network origin, for the per-IP limit (API Gateway's view of the source IP). */
export function sourceIpOf(event: APIGatewayProxyEvent): { sourceIp?: string } {
  const ip = event.requestContext?.identity?.sourceIp;
  return ip ? { sourceIp: ip } : {};
}

/** The authenticated caller, from the authorizer's claims (Cognito in AWS, the local token endpoint locally). */
type Caller = { clientId: string; scopes: ReadonlySet<string> };

/** The API Gateway event after the middlewares ran: parsed JSON body, checked caller. */
export type ApiEvent = APIGatewayProxyEvent & { json: unknown; caller: Caller };

/**
 * The cross-cutting parts of every authenticated JSON route, in one place. Handlers add only the
 * route's own logic; `.handler(...)` receives an ApiEvent.
 */
export function api(options: { scope: Scope }) {
  return base().use(requireScope(options.scope)).use(jsonBody());
}

/** The recipient's routes (`/m/{token}/...`): no bearer token, the link's token is the capability. */
export function publicApi() {
  return base().use(jsonBody());
}

/** A public route that takes a form, not JSON (RFC 8058's one-click unsubscribe): the handler reads `formBody`. */
export function publicFormApi() {
  return base();
}

/** The raw body of a form POST, at most 16 KiB (as for JSON). */
export function formBody(event: APIGatewayProxyEvent): string {
  const raw = event.body ? (event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body) : '';
  if (Buffer.byteLength(raw, 'utf8') > MAX_BODY_BYTES) throw new PayloadTooLarge(MAX_BODY_BYTES);
  return raw;
}

function base() {
  return middy<ApiEvent, APIGatewayProxyResult, Error, Context>({ timeoutEarlyInMillis: 0 })
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics))
    .use(problemDetails()) // registered early so its onError runs last
    .use(secureHeaders());
}

export function ok(body: unknown, status = 200): APIGatewayProxyResult {
  return { statusCode: status, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) };
}

function header(event: APIGatewayProxyEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(event.headers ?? {})) if (k.toLowerCase() === wanted) return v ?? undefined;
  return undefined;
}
export { header as requestHeader };

/** Re-checks the scope the authorizer already checked, and takes client_id for ownership. */
function requireScope(scope: Scope): MiddlewareObj<ApiEvent, APIGatewayProxyResult> {
  return {
    before: ({ event }) => {
      const claims = event.requestContext?.authorizer?.claims as Record<string, unknown> | undefined;
      const clientId = typeof claims?.client_id === 'string' ? claims.client_id : undefined;
      if (!clientId) throw new Unauthorized();
      const scopes = new Set(typeof claims?.scope === 'string' ? claims.scope.split(' ') : []);
      if (!scopes.has(scope)) throw new InsufficientScope(scope);
      event.caller = { clientId, scopes };
      logger.appendKeys({ clientId });
    },
  };
}

/** JSON only, at most 16 KiB; an absent body reads as `{}` so body-less POSTs validate as empty objects. */
function jsonBody(): MiddlewareObj<ApiEvent, APIGatewayProxyResult> {
  return {
    before: ({ event }) => {
      const raw = formBody(event);
      if (raw.trim() === '') {
        event.json = {};
        return;
      }
      const type = header(event, 'content-type') ?? '';
      if (!/^application\/(problem\+)?json\s*(;|$)/i.test(type)) throw new UnsupportedMediaType();
      try {
        event.json = JSON.parse(raw);
      } catch {
        throw new MalformedJson();
      }
    },
  };
}

function secureHeaders(): MiddlewareObj<ApiEvent, APIGatewayProxyResult> {
  return {
    after: (request) => {
      // A handler's own headers win (the recipient page sets its own CSP).
      if (request.response) request.response.headers = { ...securityHeaders(), ...request.response.headers };
      // Every answered request counts once (and the invocation never flushes an empty metric set).
      metrics.addMetric('Served', 'Count', 1);
    },
  };
}

function problemDetails(): MiddlewareObj<ApiEvent, APIGatewayProxyResult> {
  return {
    onError: (request) => {
      const error = request.error;
      if (error instanceof AppError) {
        logger.info('Request refused', { status: error.status, code: error.code, ...('providerReason' in error ? { providerReason: error.providerReason } : {}) });
        metrics.addMetric(`Refused_${error.code}`, 'Count', 1);
        if (error instanceof RateLimited) {
          powertoolsSignals.count(SIGNAL.rateLimited);
          powertoolsSignals.count(SIGNAL.rateLimited, { limit: String(error.extra.limit) });
        }
        if (error instanceof DestinationNotAllowed) powertoolsSignals.count(SIGNAL.refused);
        if (error.code === 'unauthorized' || error.code === 'insufficient_scope') powertoolsSignals.count(SIGNAL.authRefused);
        if (error instanceof DeliveryFailed) powertoolsSignals.count(SIGNAL.smsFailed);
      } else if (isTransientDependencyError(error)) {
        // The SDK already retried with backoff; the caller may try again (503 + Retry-After).
        logger.warn('Dependency unavailable', { errorName: error?.name ?? 'unknown' });
        metrics.addMetric('DependencyUnavailable', 'Count', 1);
      } else {
        // Name and frames only: an SDK message can quote the values it was given.
        logger.error('Unhandled error', { errorName: error?.name ?? 'unknown', frames: error?.stack?.split('\n').slice(1, 8).join('\n') });
        metrics.addMetric('InternalError', 'Count', 1);
      }
      request.response = toProblem(error);
    },
  };
}
