import type { z } from 'zod';
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

/** The input type of {@link EnvelopeInputSchema}. */
export type EnvelopeInput = z.input<typeof EnvelopeInputSchema>;
