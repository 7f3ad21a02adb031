import type { z } from 'zod';
import type { ValidationIssue } from './errors.js';

/** Turns zod issues into obs issues with dotted paths and what was expected. */
export function fromZodIssues(issues: readonly z.core.$ZodIssue[], prefix = ''): ValidationIssue[] {
  return issues.map((issue) => {
    const path = [prefix, ...issue.path.map(String)].filter((p) => p !== '').join('.');
    return { path, message: issue.message };
  });
}
