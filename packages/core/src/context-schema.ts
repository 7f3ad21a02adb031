import { z } from 'zod';
import { EnvelopeSchema } from './envelope.js';
import { ObsValidationError } from './errors.js';
import { fromZodIssues } from './zod-issues.js';

const ContextSchema = EnvelopeSchema.pick({
  request_id: true,
  cycle: true,
  session_id: true,
  turn_number: true,
  parent_event_id: true,
})
  .extend({ run_id: EnvelopeSchema.shape.run_id })
  .partial()
  .strict();

const EmitOptionsSchema = ContextSchema.extend({
  audit_level: EnvelopeSchema.shape.audit_level,
  status: EnvelopeSchema.shape.status,
  duration_ms: EnvelopeSchema.shape.duration_ms,
  event_id: EnvelopeSchema.shape.event_id,
  timestamp: z.union([z.date(), z.number().int().nonnegative()]),
})
  .partial()
  .strict();

/** Throws `ObsValidationError` when a context has unknown keys or values of the wrong shape. */
export function assertValidContext(context: unknown): void {
  const result = ContextSchema.safeParse(context);
  if (!result.success) throw new ObsValidationError('context', fromZodIssues(result.error.issues));
}

/** Throws `ObsValidationError` when emit options have unknown keys or values of the wrong shape. */
export function assertValidEmitOptions(options: unknown): void {
  const result = EmitOptionsSchema.safeParse(options);
  if (!result.success)
    throw new ObsValidationError('emit options', fromZodIssues(result.error.issues, 'options'));
}
