import type { ValidationIssue } from '@obs/core';
import type { z } from 'zod';

/** Turns zod issues into obs validation issues (dotted paths). */
export function toIssues(issues: readonly z.core.$ZodIssue[]): ValidationIssue[] {
  return issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
}
