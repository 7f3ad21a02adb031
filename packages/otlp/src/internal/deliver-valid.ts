import { type Envelope, ObsValidationError } from '@obs/core';
import { OTLP_ERROR_CODES, OtlpError } from '../errors.js';
import type { DeliveringService } from '../ingest-otlp.js';
import type { MappedRequest } from '../map-spans.js';

/** Delivers the events; when some fail validation, drops every event of their spans and delivers the rest. */
export async function deliverValid(obs: DeliveringService, mapped: MappedRequest): Promise<Envelope[]> {
  if (mapped.inputs.length === 0) return [];
  let result: Awaited<ReturnType<DeliveringService['deliver']>>;
  try {
    result = await obs.deliver(mapped.inputs);
  } catch (error) {
    if (!(error instanceof ObsValidationError)) throw error;
    const bad = new Set<number>();
    for (const issue of error.issues) {
      const at = mapped.inputs.length === 1 ? 0 : Number(/^\[(\d+)\]/.exec(issue.path)?.[1] ?? Number.NaN);
      const owner = mapped.owners[at];
      if (owner === undefined) continue;
      if (!mapped.rejected.has(owner))
        mapped.rejected.set(
          owner,
          `item ${owner}: ${issue.path.replace(/^\[\d+\]\.?/, '') || '(event)'}: ${issue.message}`,
        );
      bad.add(owner);
    }
    if (bad.size === 0) throw error;
    const keep = mapped.inputs.flatMap((input, i) =>
      bad.has(mapped.owners[i]!) ? [] : [{ input, owner: mapped.owners[i]! }],
    );
    return deliverValid(obs, {
      ...mapped,
      inputs: keep.map((k) => k.input),
      owners: keep.map((k) => k.owner),
    });
  }
  if (result.undelivered.length > 0) {
    throw new OtlpError(
      OTLP_ERROR_CODES.NOT_STORED,
      `${result.undelivered.length} of ${result.envelopes.length} events could not be stored (a sink is overloaded or failing); send the request again`,
    );
  }
  return result.envelopes;
}
