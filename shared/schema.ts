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

/** A whole number sent as text (a query parameter, an environment variable), in [min, max]. */
export const textIntIn = (min: number, max: number) => z.coerce.number().check(z.int(), z.minimum(min), z.maximum(max));

/** Trimmed text of `min` to `max` characters on one line: no control characters (line breaks included). */
export const oneLineText = (min: number, max: number, message: string) =>
  z.string().check(z.trim(), z.minLength(min), z.maxLength(max), z.refine((s) => !/[\u0000-\u001f\u007f]/.test(s), { message }));
