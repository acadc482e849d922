import type { z } from 'zod';
import { fromZod } from './problem.js';

/** Parses input at the edge; a failure is a 400 naming every offending field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, prefix = ''): z.infer<S> {
  const result = schema.safeParse(input ?? {});
  if (!result.success) throw fromZod(result.error, prefix);
  return result.data;
}

/** Express types route params loosely once middlewares sit between path and handler. */
export function pathParam(req: { params: Record<string, unknown> }, name: string): string {
  const value = req.params[name];
  return typeof value === 'string' ? value : '';
}
