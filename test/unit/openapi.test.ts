import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OPENAPI_FILE, openApiDocument, renderOpenApi } from '../../infra/openapi/document.ts';
import { ROUTES } from '../../infra/routes.ts';

describe('docs/openapi.json', () => {
  it('is the document the code generates (run `npm run docs:openapi` after changing a schema or route)', () => {
    expect(readFileSync(OPENAPI_FILE, 'utf8')).toBe(renderOpenApi());
  });
  it('documents every route with its scope and refuses unknown request fields', () => {
    const doc = openApiDocument();
    const schemas = doc.components.schemas as Record<string, { additionalProperties?: boolean }>;
    for (const r of ROUTES) {
      const op = (doc.paths[r.path] as Record<string, { security: unknown; requestBody?: { content: Record<string, { schema: { $ref: string } }> } }>)[r.method.toLowerCase()]!;
      expect(op.security).toEqual(r.scope === 'public' ? [] : [{ oauth2: [r.scope] }]);
      if (!op.requestBody) continue;
      const id = op.requestBody.content['application/json']!.schema.$ref.split('/').at(-1)!;
      expect(schemas[id]?.additionalProperties, id).toBe(false);
    }
  });
});
