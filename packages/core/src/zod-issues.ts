import type { z } from 'zod';
import { ObsValidationError, type ValidationIssue } from './errors.js';

/** Turns zod issues into obs issues with dotted paths and what was expected. */
export function fromZodIssues(issues: readonly z.core.$ZodIssue[], prefix = ''): ValidationIssue[] {
  return issues.map((issue) => {
    const path = [prefix, ...issue.path.map(String)].filter((p) => p !== '').join('.');
    return { path, message: issue.message };
  });
}

/** Parses `value` with `schema`, or throws `ObsValidationError` naming `subject` and every failing path. */
export function parseOrThrow<T extends z.ZodType>(schema: T, value: unknown, subject: string): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new ObsValidationError(subject, fromZodIssues(result.error.issues));
}
