import type * as z from '../zod.ts';
import { ValidationFailed } from '../errors.ts';

/** Parses with a zod schema; failures become 400 validation_failed naming the fields, never echoing values. */
export function parseWith<S extends z.ZodMiniType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ValidationFailed(
    result.error.issues.map((issue) => ({ path: issue.path.map(String).join('.') || '(body)', message: issue.message })),
  );
}
