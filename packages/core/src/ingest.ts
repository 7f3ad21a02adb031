import type { z } from 'zod';
import type { Envelope } from './envelope.js';
import type { EnvelopeFactory } from './envelope-factory.js';
import { EnvelopeFieldsInputSchema } from './envelope-input.js';
import { ObsValidationError, type ValidationIssue } from './errors.js';
import { compilePayloadValidator } from './payload-validator.js';
import type { EventRegistry } from './registry.js';
import { fromZodIssues } from './zod-issues.js';

/** The envelope fields' check compiled once; zod words what it refuses. */
const checkFields = compilePayloadValidator(EnvelopeFieldsInputSchema)!;

/**
 * Validates envelopes sent by another process and builds them, all or none: every failing path of
 * every input is collected (prefixed with the input's index in a batch) before anything is returned.
 */
export function buildIngested(
  inputs: readonly unknown[],
  registry: EventRegistry,
  guard: (type: string, payload: Record<string, unknown>) => Record<string, unknown>,
  factory: EnvelopeFactory,
): Envelope[] {
  const issues: ValidationIssue[] = [];
  const envelopes: Envelope[] = [];
  inputs.forEach((input, index) => {
    const prefix = inputs.length === 1 ? '' : `[${index}]`;
    // the payload is checked to be an object here and validated once below, by its type's schema
    let data = checkFields(input) as z.output<typeof EnvelopeFieldsInputSchema> | undefined;
    if (data === undefined) {
      const parsed = EnvelopeFieldsInputSchema.safeParse(input);
      if (!parsed.success) {
        issues.push(...fromZodIssues(parsed.error.issues, prefix));
        return;
      }
      data = parsed.data;
    }
    const { payload, event_type, ...fields } = data;
    try {
      envelopes.push(
        factory.build(event_type, guard(event_type, registry.parsePayload(event_type, payload)), fields),
      );
    } catch (error) {
      if (!(error instanceof ObsValidationError)) throw error;
      issues.push(...error.issues.map((i) => ({ ...i, path: prefix ? `${prefix}.${i.path}` : i.path })));
    }
  });
  if (issues.length > 0) {
    throw new ObsValidationError(inputs.length === 1 ? 'event' : `batch of ${inputs.length} events`, issues);
  }
  return envelopes;
}
