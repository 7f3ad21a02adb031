import { z } from 'zod';
import { EnvelopeSchema } from './envelope.js';

/**
 * An envelope as sent by another process (the collector's input): `event_id`, `seq`, `timestamp`
 * and `schema_version` are assigned when absent, nullable fields default to null, `source` to the
 * service's own, `audit_level` to `turn`. Unknown fields are rejected.
 */
export const EnvelopeInputSchema = EnvelopeSchema.partial().required({
  event_type: true,
  run_id: true,
  payload: true,
});

/**
 * {@link EnvelopeInputSchema} with the payload only checked to be an object, not copied: ingest
 * validates it once, with its event type's schema.
 */
export const EnvelopeFieldsInputSchema = EnvelopeInputSchema.extend({
  payload: z.custom<Record<string, unknown>>(
    (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
    'expected an object',
  ),
});

/** The input type of {@link EnvelopeInputSchema}. */
export type EnvelopeInput = z.input<typeof EnvelopeInputSchema>;
