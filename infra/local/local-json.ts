import type * as z from '#shared/zod';

/** Parses a local-only route's JSON body; undefined when it is not JSON or not of the schema. */
export function parseLocalBody<S extends z.ZodMiniType>(schema: S, body: string): z.infer<S> | undefined {
  let input: unknown;
  try {
    input = JSON.parse(body);
  } catch {
    return undefined;
  }
  const parsed = schema.safeParse(input);
  return parsed.success ? parsed.data : undefined;
}
