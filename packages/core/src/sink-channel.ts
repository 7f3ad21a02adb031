import { type DiagLogger, report } from './diag.js';
import { toError } from './errors.js';
import type { EventRecord } from './event-record.js';
import { RingQueue } from './ring-queue.js';
import type { Sink, SinkHealth } from './sink.js';

/** What happens to an event when its sink's queue is full. */
export type OverflowPolicy = 'block' | 'drop-newest' | 'drop-oldest';

/** Queueing, batching and retry settings of one sink. */
export interface QueueOptions {
  /** Events held for this sink before the overflow policy applies (default 10 000). */
  capacity?: number;
  /** Most events handed to one `write` (default 512). */
  batchSize?: number;
  /** How long a partial batch waits for more events (default 10 ms; 0 writes on the next turn of the event loop). */
  lingerMs?: number;
  /**
   * `drop-newest` (default) refuses the new event, `drop-oldest` evicts the oldest queued one,
   * `block` keeps the event and makes `emitAsync`/`ready()` wait until the queue is below capacity;
   * a synchronous `emit` past twice the capacity is still refused, so memory stays bounded.
   */
  overflow?: OverflowPolicy;
  /** Retries of a failing batch before its events are counted as failed (default 8). */
  maxRetries?: number;
  /** First retry delay; doubles per attempt up to `retryMaxMs` (defaults 50 ms and 5 s). */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** A `write` that takes longer counts as failed and is retried (default 30 s). */
  writeTimeoutMs?: number;
}

/** Counters of one sink, as reported by `stats()`. */
export interface SinkStats {
  name: string;
  queued: number;
  capacity: number;
  accepted: number;
  written: number;
  /** Events refused or evicted by the overflow policy. */
  dropped: number;
  /** Events whose batch still failed after every retry. */
  failed: number;
  retries: number;
  batches: number;
  last_error: string | null;
  health: SinkHealth;
}

const DEFAULTS: Required<QueueOptions> = {
  capacity: 10_000,
  batchSize: 256,
  lingerMs: 10,
  overflow: 'drop-newest',
  maxRetries: 8,
  retryBaseMs: 50,
  retryMaxMs: 5_000,
  writeTimeoutMs: 30_000,
};

type Waiter = { target: number; resolve: () => void };

/** One sink's bounded queue and the loop that drains it in batches, with retries. */
export class SinkChannel {
  readonly sink: Sink;
  readonly #options: Required<QueueOptions>;
  readonly #logger: DiagLogger;
  readonly #onError: (error: Error) => void;
  readonly #queue = new RingQueue<EventRecord>(64);
  #accepted = 0;
  #settled = 0;
  #written = 0;
  #dropped = 0;
  #failed = 0;
  #retries = 0;
  #batches = 0;
  #lastError: string | null = null;
  #timer: NodeJS.Timeout | undefined;
  #scheduled = false;
  #draining = false;
  #flushWaiters: Waiter[] = [];
  #spaceWaiters: (() => void)[] = [];

  constructor(sink: Sink, options: QueueOptions, logger: DiagLogger, onError: (error: Error) => void) {
    this.sink = sink;
    this.#options = { ...DEFAULTS, ...stripUndefined(options) };
    this.#logger = logger;
    this.#onError = onError;
  }

  /** True when this sink holds at least `capacity` events (only `block` lets it go further). */
  get full(): boolean {
    return this.#queue.size >= this.#options.capacity;
  }

  /** Enqueues a record; returns false when the overflow policy refused it. */
  offer(record: EventRecord): boolean {
    const { capacity, overflow, batchSize } = this.#options;
    if (this.#queue.size >= capacity) {
      if (overflow === 'drop-oldest') {
        this.#queue.shift();
        this.#dropped++;
        this.#settled++;
      } else if (overflow === 'drop-newest' || this.#queue.size >= capacity * 2) {
        this.#dropped++;
        return false;
      }
    }
    this.#queue.push(record);
    this.#accepted++;
    if (this.#queue.size >= batchSize || this.#options.lingerMs === 0) this.#scheduleNow();
    else if (this.#timer === undefined && !this.#draining && !this.#scheduled) {
      this.#timer = setTimeout(() => this.#drainNow(), this.#options.lingerMs);
    }
    return true;
  }

  /** Resolves when the queue is below capacity again. */
  whenWritable(): Promise<void> {
    if (!this.full) return Promise.resolve();
    return new Promise((resolve) => this.#spaceWaiters.push(resolve));
  }

  /** Resolves when every event accepted before the call is written (or failed), then flushes the sink. */
  async flush(): Promise<void> {
    const target = this.#accepted;
    if (this.#settled < target) {
      this.#scheduleNow();
      await new Promise<void>((resolve) => this.#flushWaiters.push({ target, resolve }));
    }
    try {
      await this.sink.flush();
    } catch (error) {
      this.#fail(error, 'flush');
    }
  }

  /** Flushes, then closes the sink; errors are reported, not thrown. */
  async close(): Promise<void> {
    await this.flush();
    try {
      await this.sink.close();
    } catch (error) {
      this.#fail(error, 'close');
    }
  }

  stats(): SinkStats {
    let health: SinkHealth = { ok: this.#lastError === null || this.#queue.size === 0 };
    try {
      health = this.sink.health?.() ?? health;
    } catch (error) {
      health = { ok: false, detail: toError(error).message };
    }
    return {
      name: this.sink.name,
      queued: this.#queue.size,
      capacity: this.#options.capacity,
      accepted: this.#accepted,
      written: this.#written,
      dropped: this.#dropped,
      failed: this.#failed,
      retries: this.#retries,
      batches: this.#batches,
      last_error: this.#lastError,
      health,
    };
  }

  #scheduleNow(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.#scheduled || this.#draining) return;
    this.#scheduled = true;
    setImmediate(() => this.#drainNow());
  }

  #drainNow(): void {
    this.#scheduled = false;
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    void this.#drain();
  }

  async #drain(): Promise<void> {
    if (this.#draining) return;
    this.#draining = true;
    try {
      while (this.#queue.size > 0) {
        const batch = this.#queue.take(this.#options.batchSize);
        await this.#writeWithRetry(batch);
        this.#settled += batch.length;
        this.#notify();
      }
    } finally {
      this.#draining = false;
      this.#notify();
    }
  }

  async #writeWithRetry(batch: EventRecord[]): Promise<void> {
    const { maxRetries, retryBaseMs, retryMaxMs } = this.#options;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.#writeOnce(batch);
        this.#written += batch.length;
        this.#batches++;
        this.#lastError = null;
        return;
      } catch (error) {
        this.#fail(error, 'write', { attempt, batch: batch.length });
        if (attempt >= maxRetries) {
          this.#failed += batch.length;
          report(this.#logger, 'error', `sink "${this.sink.name}" gave up on a batch`, {
            events: batch.length,
          });
          return;
        }
        this.#retries++;
        await delay(Math.min(retryMaxMs, retryBaseMs * 2 ** attempt));
      }
    }
  }

  #writeOnce(batch: EventRecord[]): Promise<void> | void {
    const result = this.sink.write(batch);
    if (result === undefined) return;
    const timeoutMs = this.#options.writeTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`write did not settle within ${timeoutMs} ms`)), timeoutMs);
    });
    return Promise.race([result, timeout]).finally(() => clearTimeout(timer));
  }

  #notify(): void {
    if (this.#flushWaiters.length > 0) {
      const pending: Waiter[] = [];
      for (const waiter of this.#flushWaiters) {
        if (this.#settled >= waiter.target) waiter.resolve();
        else pending.push(waiter);
      }
      this.#flushWaiters = pending;
    }
    if (this.#spaceWaiters.length > 0 && !this.full) {
      const waiters = this.#spaceWaiters;
      this.#spaceWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  #fail(error: unknown, operation: string, detail?: Record<string, unknown>): void {
    const err = toError(error);
    this.#lastError = `${operation}: ${err.message}`;
    report(this.#logger, 'warn', `sink "${this.sink.name}" ${operation} failed: ${err.message}`, detail);
    try {
      this.#onError(err);
    } catch {
      // the error handler itself must never break the pipeline
    }
  }
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
