import * as z from '#shared/zod';
import { metaOf } from '#shared/schema';
import { ALL_SCOPES } from '#shared/http/scopes';
import { ROUTES } from '../routes.ts';

/**
 * The OpenAPI 3.1 document, generated from the same zod schemas the handlers validate with and the
 * same route list API Gateway and the local stack serve, so the reference cannot drift from the code.
 */
const Problem = {
  type: 'object',
  required: ['type', 'title', 'status', 'code'],
  properties: {
    type: { type: 'string', const: 'about:blank' },
    title: { type: 'string' },
    status: { type: 'integer' },
    code: { type: 'string', description: 'Stable, machine-readable; branch on this, never on title' },
    errors: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } },
    remainingAttempts: { type: 'integer' },
    retryAfter: { type: 'integer' },
  },
} as const;

const COMMON_ERRORS: Record<number, string[]> = {
  400: ['validation_failed', 'malformed_json'],
  401: ['unauthorized'],
  403: ['insufficient_scope'],
  413: ['payload_too_large'],
  415: ['unsupported_media_type'],
  500: ['internal_error'],
};

const ref = (s: z.ZodMiniType) => {
  const id = metaOf(s)?.id;
  if (!id) throw new Error('Every request and response schema needs .meta({ id })');
  return { $ref: `#/components/schemas/${id}` };
};

/** Components from the zod registry: requests as clients send them (defaults optional), responses as sent. */
function components(): Record<string, unknown> {
  const requestIds = new Set(ROUTES.flatMap((r) => (r.request ? [metaOf(r.request)?.id] : [])));
  const all: Record<string, unknown> = {};
  for (const io of ['input', 'output'] as const) {
    const { schemas } = z.toJSONSchema(z.globalRegistry, { io, unrepresentable: 'any', uri: (id) => `#/components/schemas/${id}` });
    for (const [id, json] of Object.entries(schemas)) {
      const isRequest = requestIds.has(id) || id === 'Transaction';
      if ((io === 'input') === isRequest) {
        const { $schema: _drop, $id: _id, ...rest } = json as Record<string, unknown>;
        all[id] = rest;
      }
    }
  }
  return all;
}

export function openApiDocument() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of ROUTES) {
    const errors: Record<number, string[]> = Object.fromEntries(
      Object.entries(COMMON_ERRORS).filter(([status]) => route.scope !== 'public' || !['401', '403'].includes(status)),
    );
    for (const [status, codes] of Object.entries(route.errors)) errors[Number(status)] = [...(errors[Number(status)] ?? []), ...(codes ?? [])];
    const params = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    (paths[route.path] ??= {})[route.method.toLowerCase()] = {
      operationId: route.operationId ?? route.fn.replace(/-(\w)/g, (_m, c: string) => c.toUpperCase()),
      summary: route.summary,
      ...(route.deprecated ? { deprecated: true } : {}),
      security: route.scope === 'public' ? [] : [{ oauth2: [route.scope] }],
      parameters: [
        ...params,
        ...(route.idempotent ? [{ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,128}$' } }] : []),
      ],
      ...(route.request ? { requestBody: { required: route.method !== 'POST' || route.request.safeParse({}).success === false, content: { 'application/json': { schema: ref(route.request) } } } } : {}),
      responses: {
        [route.success.status]: {
          description: 'Success',
          content: route.success.schema === 'html' ? { 'text/html': { schema: { type: 'string' } } } : { 'application/json': { schema: ref(route.success.schema) } },
        },
        ...Object.fromEntries(
          Object.entries(errors).map(([status, codes]) => [
            status,
            { description: `Problem; code: ${codes.join(', ')}`, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } },
          ]),
        ),
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Sealtext API', version: '1', license: { name: 'Apache-2.0', identifier: 'Apache-2.0' }, description: 'Generated from the zod schemas in shared/ and the routes in infra/routes.ts by `npm run docs:openapi`.' },
    servers: [{ url: 'http://127.0.0.1:3000', description: 'Local stack (npm start)' }],
    paths,
    components: {
      schemas: { ...components(), Problem },
      securitySchemes: {
        oauth2: {
          type: 'oauth2',
          flows: { clientCredentials: { tokenUrl: '/oauth2/token', scopes: Object.fromEntries(ALL_SCOPES.map((s) => [s, s])) } },
        },
      },
    },
  };
}

export const OPENAPI_FILE = 'docs/openapi.json';
export const renderOpenApi = () => `${JSON.stringify(openApiDocument(), null, 2)}\n`;
