import type { WriteOutcome } from './batch-writer.js';
import { type PreparedBatch, prepareBatch, type StoredEvent } from './prepared-batch.js';

/** How many times a batch is prepared again without ids found stored before the write fails as transient. */
const STORED_RETRIES = 4;

/** The error of a batch that met ids committed by other writers on every try (SQLSTATE 23505: transient). */
export function storedAgainError(): Error {
  return Object.assign(new Error('the batch kept meeting ids committed by other writers'), { code: '23505' });
}

/**
 * Prepares `batch` on the host and hands it to `send` until it commits; ids found stored already
 * (a re-sent batch, or another writer committing them meanwhile) are left out of the next attempt.
 * Returns how many events were new.
 */
export function commitBatch(
  batch: readonly StoredEvent[],
  send: (batch: PreparedBatch) => WriteOutcome,
): number;
export function commitBatch(
  batch: readonly StoredEvent[],
  send: (batch: PreparedBatch) => Promise<WriteOutcome>,
): Promise<number>;
export function commitBatch(
  batch: readonly StoredEvent[],
  send: (batch: PreparedBatch) => WriteOutcome | Promise<WriteOutcome>,
): number | Promise<number> {
  const retry = new StoredRetry(batch);
  const attempt = (): number | Promise<number> => {
    const outcome = send(retry.prepare());
    const next = (o: WriteOutcome) => retry.inserted(o) ?? attempt();
    return outcome instanceof Promise ? outcome.then(next) : next(outcome);
  };
  return attempt();
}

/** One batch's tries: the ids found stored so far are left out of the next preparation. */
export class StoredRetry {
  readonly #batch: readonly StoredEvent[];
  readonly #skip = new Set<string>();
  #tries = 0;

  constructor(batch: readonly StoredEvent[]) {
    this.#batch = batch;
  }

  /** The batch prepared without the ids found stored. */
  prepare(): PreparedBatch {
    return prepareBatch(this.#batch, this.#skip);
  }

  /** How many events `outcome` committed, or undefined when the batch is to be sent again; throws past the last try. */
  inserted(outcome: WriteOutcome): number | undefined {
    if ('inserted' in outcome) return outcome.inserted;
    if (this.#tries++ >= STORED_RETRIES) throw storedAgainError();
    for (const id of outcome.stored) this.#skip.add(id);
    return undefined;
  }
}
