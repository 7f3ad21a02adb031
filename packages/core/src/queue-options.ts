import type { SinkHealth } from './sink.js';

/** What happens to an event when its sink's queue is full. */
export type OverflowPolicy = 'block' | 'drop-newest' | 'drop-oldest';

/** Queueing, batching and retry settings of one sink. */
export interface QueueOptions {
  /** Events held for this sink before the overflow policy applies (default 2 048). */
  capacity?: number;
  /** Most events handed to one `write` (default 256). */
  batchSize?: number;
  /** How long a partial batch waits for more events (default 10 ms; 0 writes on the next turn of the event loop). */
  lingerMs?: number;
  /**
   * `block` (default): nothing is refused. When the queue is full, a sink with `writeSync` (every
   * store) is written by the caller itself, synchronously, until the queue has room (caller-runs);
   * for any other sink `emitAsync`/`ready()` wait for room and a synchronous `emit` past twice the
   * capacity is refused, so memory stays bounded. `drop-newest` refuses the new event and
   * `drop-oldest` evicts the oldest queued one (for live views); drops are counted.
   */
  overflow?: OverflowPolicy;
  /**
   * Retries of a failing batch (default 8); then its halves are written once each, so a poison event
   * fails alone. A transient error (`ObsTransientError`) is retried the same way but not split
   * when the retries run out; an error with `transient: false` is split at once, without retries.
   */
  maxRetries?: number;
  /** First retry delay; doubles per attempt up to `retryMaxMs` (defaults 50 ms and 5 s); jittered (½–1×) for transient errors. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /**
   * Batches written at once (default 1). Only for sinks whose `write` may be called again before the
   * previous call settled (the SQLite sink's worker thread takes a queue of batches); flush still waits
   * for every earlier batch, whatever order they finish in.
   */
  concurrency?: number;
  /** A `write` still pending after this long is reported as stuck (default 30 s); it is never started twice at once. */
  writeTimeoutMs?: number;
}

/** Counters of one sink, as reported by `stats()`. */
export interface SinkStats {
  name: string;
  queued: number;
  capacity: number;
  accepted: number;
  written: number;
  /** Of `written`, the events an `emit` wrote itself because the queue was full (caller-runs, `block`). */
  written_by_caller: number;
  /** Events refused or evicted by the overflow policy. */
  dropped: number;
  /** Events whose batch still failed after every retry. */
  failed: number;
  retries: number;
  batches: number;
  last_error: string | null;
  health: SinkHealth;
}

/** Queue settings used where neither the service, the sink nor the binding sets one. */
export const QUEUE_DEFAULTS: Readonly<Required<QueueOptions>> = {
  capacity: 2_048,
  batchSize: 256,
  lingerMs: 10,
  overflow: 'block',
  maxRetries: 8,
  retryBaseMs: 50,
  retryMaxMs: 5_000,
  writeTimeoutMs: 30_000,
  concurrency: 1,
};
