import * as z from './zod.ts';

/** Documentation for the OpenAPI document (id, description, example), on a copy, as classic zod's `.meta()` did. */
export function described<T extends z.ZodMiniType>(schema: T, meta: z.core.GlobalMeta): T {
  const copy = schema.clone();
  z.globalRegistry.add(copy, meta);
  return copy;
}

/** The documentation registered for a schema (its `id` names an OpenAPI component). */
export const metaOf = (schema: z.core.$ZodType): z.core.GlobalMeta | undefined => z.globalRegistry.get(schema);

/** An integer in [min, max]. */
export const intIn = (min: number, max: number) => z.int().check(z.minimum(min), z.maximum(max));

/** A string of `min` to `max` characters. */
export const stringOf = (min: number, max: number) => z.string().check(z.minLength(min), z.maxLength(max));
