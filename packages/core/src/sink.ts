import type { EventRecord } from './event-record.js';
import type { QueueOptions } from './queue-options.js';

/** Health a sink reports to `stats()` and the collector's `/health`. */
export interface SinkHealth {
  ok: boolean;
  detail?: string;
}

/**
 * Where events go. A sink only turns a batch into I/O: queueing, batching, retries and drop
 * counting live once in the service. `write` is called again only after the previous call settled,
 * unless the sink's queue `concurrency` is above 1; a rejected `write` is retried with the same batch,
 * then written in halves. A sink does not retry itself: it rejects, marking a failure that will pass
 * (a busy lock) with `ObsTransientError` and a batch its store refuses with `transient: false`
 * (see `transienceOf`). `@obs/core/testing`'s `describeSinkContract` checks a sink against this contract.
 */
export interface Sink {
  /** Unique within one service; names the sink in stats, routes and errors. */
  readonly name: string;
  /** Persists a batch; resolve only when the batch is as durable as the sink promises. */
  write(batch: readonly EventRecord[]): Promise<void> | void;
  /**
   * Takes a batch on the caller's thread before returning (a store: write it; a worker-thread
   * writer: wait until it has room, then hand it over). The service calls it from `emit` when the
   * sink's queue is full and its overflow policy is `block`, so a store never drops an event and
   * memory stays bounded by making the caller wait. It may be called while an async `write` is
   * pending; what it took must be durable by the next `flush()`. Throwing leaves the batch queued.
   */
  writeSync?(batch: readonly EventRecord[]): void;
  /** Pushes anything the sink buffers itself to its store. */
  flush(): Promise<void> | void;
  /** Releases resources; later writes must throw. */
  close(): Promise<void> | void;
  /** Optional live health probe. */
  health?(): SinkHealth;
  /** Queue settings this sink is meant to run with; they override the service-wide `queue`, a binding's `queue` overrides them. */
  readonly queueDefaults?: QueueOptions;
}
