import { OBS_ERROR_CODES, ObsError } from './errors.js';

/**
 * A failed `write` that says nothing about the batch: the store is busy (`SQLITE_BUSY`, a lock
 * another process holds), a connection dropped, a server asked to come back later. The service's
 * queue retries the same batch with jittered backoff (`maxRetries`, `retryBaseMs`), and does not
 * bisect it when the retries run out: its events are not at fault. Sinks throw this instead of
 * retrying themselves, so one retry loop, with one set of counters, serves every sink.
 */
export class ObsTransientError extends ObsError<typeof OBS_ERROR_CODES.SINK> {
  /** Always `true`: what the service's queue reads (see {@link transienceOf}). */
  readonly transient = true;

  constructor(message: string, options?: { cause?: unknown }) {
    super(OBS_ERROR_CODES.SINK, message, options);
    this.name = 'ObsTransientError';
  }
}

/**
 * What a sink said about a failed `write`, read from the error's own `transient` property:
 * `true`, retry the batch as it is (see {@link ObsTransientError}); `false`, the store refused
 * this batch and would refuse it again, so the queue skips the retries and bisects it at once to
 * find the events at fault; `undefined` (most errors), retry it, then bisect it.
 */
export function transienceOf(error: unknown): boolean | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const flag = (error as { transient?: unknown }).transient;
  return typeof flag === 'boolean' ? flag : undefined;
}
