import type { ComponentLogger } from './diag.js';
import type { LossReason } from './drop-reporter.js';
import { toError } from './errors.js';
import type { EventRecord } from './event-record.js';
import { QUEUE_DEFAULTS, type QueueOptions, type SinkStats } from './queue-options.js';
import { RingQueue } from './ring-queue.js';
import type { Sink, SinkHealth } from './sink.js';
import { transienceOf } from './transient-error.js';

type Waiter = { target: number; resolve: () => void };
type InFlightBatch = { start: number; records: EventRecord[] };
/** Told about every event a channel drops or fails to write; called off the path of events that pass. */
export type LossListener = (reason: LossReason, records: readonly EventRecord[]) => void;

/** One sink's bounded queue and the loop that drains it in batches, with retries. */
export class SinkChannel {
  readonly sink: Sink;
  readonly #options: Required<QueueOptions>;
  readonly #log: ComponentLogger;
  readonly #onError: (error: Error) => void;
  readonly #queue = new RingQueue<EventRecord>(64);
  #accepted = 0;
  /** Records taken off the queue (into a batch, or evicted by `drop-oldest`). */
  #taken = 0;
  #written = 0;
  #dropped = 0;
  #failed = 0;
  #retries = 0;
  #batches = 0;
  #lastError: string | null = null;
  #timer: NodeJS.Timeout | undefined;
  #scheduled = false;
  /** Lanes writing now; each takes batches until the queue is empty (at most `concurrency`). */
  #lanes = 0;
  #inFlight = new Set<InFlightBatch>();
  /** Set when shutdown gave up on this sink: a write that settles later changes no counter. */
  #abandoned = false;
  #flushWaiters: Waiter[] = [];
  /** Events written by callers when the queue was full (caller-runs). */
  #callerWritten = 0;
  #callerWriteFailed = false;
  #spaceWaiters: (() => void)[] = [];
  readonly #onLoss: LossListener | undefined;

  constructor(
    sink: Sink,
    options: QueueOptions,
    log: ComponentLogger,
    onError: (error: Error) => void,
    onLoss?: LossListener,
  ) {
    this.sink = sink;
    this.#options = { ...QUEUE_DEFAULTS, ...stripUndefined(options) };
    this.#log = log;
    this.#onError = onError;
    this.#onLoss = onLoss;
  }

  /**
   * Its last write (if any) succeeded and an event offered now will not be dropped: it has room, or
   * it is a `block` store that the caller writes itself when full (caller-runs).
   */
  get healthy(): boolean {
    if (this.#lastError !== null || this.#callerWriteFailed || this.#abandoned) return false;
    return !this.full || (this.#options.overflow === 'block' && this.sink.writeSync !== undefined);
  }

  /** True when this sink holds at least `capacity` events (only `block` lets it go further). */
  get full(): boolean {
    return this.#queue.size >= this.#options.capacity;
  }

  /** Enqueues a record; returns false when the overflow policy refused it. */
  offer(record: EventRecord): boolean {
    const { capacity, overflow, batchSize } = this.#options;
    if (this.#queue.size >= capacity && !(overflow === 'block' && this.#writeOnCaller())) {
      if (overflow === 'drop-oldest') {
        const evicted = this.#queue.shift()!;
        evicted.undelivered++;
        this.#dropped++;
        this.#taken++;
        this.#lose('drop_oldest', [evicted]);
      } else if (overflow === 'drop-newest' || this.#queue.size >= capacity * 2) {
        record.undelivered++;
        this.#dropped++;
        this.#lose(overflow === 'drop-newest' ? 'drop_newest' : 'queue_full', [record]);
        return false;
      }
    }
    this.#queue.push(record);
    this.#accepted++;
    if (this.#queue.size >= batchSize || this.#options.lingerMs === 0) this.#scheduleNow();
    else if (this.#timer === undefined && this.#lanes === 0 && !this.#scheduled) {
      this.#timer = setTimeout(() => this.#drainNow(), this.#options.lingerMs);
    }
    return true;
  }

  /**
   * Caller-runs: the queue is full, so the caller writes its oldest batches itself, synchronously,
   * until it is below capacity again. Memory stays bounded and nothing is refused: the caller waits
   * instead. False when the sink has no `writeSync`, or it failed (then the next successful write
   * re-enables it) and the event is left to the `block` bound.
   */
  #writeOnCaller(): boolean {
    if (this.sink.writeSync === undefined || this.#abandoned || this.#callerWriteFailed) return false;
    const { capacity, batchSize } = this.#options;
    while (this.#queue.size >= capacity) {
      const records = this.#queue.peek(batchSize);
      try {
        this.sink.writeSync(records);
      } catch (error) {
        this.#callerWriteFailed = true;
        this.#fail(error, 'writeSync', { batch: records.length });
        return false;
      }
      this.#queue.take(records.length);
      this.#taken += records.length;
      this.#written += records.length;
      this.#callerWritten += records.length;
      this.#batches++;
    }
    this.#notify();
    return true;
  }

  /** With the `block` policy, resolves when the queue is below capacity again; at once otherwise. */
  whenWritable(): Promise<void> {
    if (this.#options.overflow !== 'block' || !this.full) return Promise.resolve();
    return new Promise((resolve) => this.#spaceWaiters.push(resolve));
  }

  /** Resolves when every event accepted before the call is written (or failed), then flushes the sink. */
  async flush(): Promise<void> {
    const target = this.#accepted;
    if (this.#settledUpTo() < target) {
      this.#scheduleNow();
      await new Promise<void>((resolve) => this.#flushWaiters.push({ target, resolve }));
    }
    try {
      await this.sink.flush();
    } catch (error) {
      this.#fail(error, 'flush');
    }
  }

  /**
   * Flushes, then closes the sink; errors are reported, not thrown. Past `deadline` (epoch ms) it
   * stops waiting: events still queued or in a write that has not settled are counted as failed.
   */
  async close(deadline: number): Promise<void> {
    const flushed = await withDeadline(this.flush(), deadline);
    if (!flushed) {
      this.#abandoned = true;
      let abandoned = this.#queue.size;
      for (const { records } of this.#inFlight) abandoned += records.length;
      this.#failed += abandoned;
      for (const record of this.#queue.take(this.#queue.size)) record.undelivered++;
      for (const { records } of this.#inFlight) for (const record of records) record.undelivered++;
      this.#inFlight.clear();
      this.#taken = this.#accepted;
      this.#notify();
      this.#fail(new Error(`shutdown deadline passed with ${abandoned} events unwritten`), 'close');
    }
    try {
      await withDeadline(Promise.resolve(this.sink.close()), Math.max(deadline, Date.now() + 1_000));
    } catch (error) {
      this.#fail(error, 'close');
    }
  }

  stats(): SinkStats {
    let health: SinkHealth = this.#lastError === null ? { ok: true } : { ok: false, detail: this.#lastError };
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
      written_by_caller: this.#callerWritten,
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
    if (this.#scheduled || this.#lanes >= this.#options.concurrency) return;
    this.#scheduled = true;
    setImmediate(() => this.#drainNow());
  }

  #drainNow(): void {
    this.#scheduled = false;
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    while (this.#lanes < this.#options.concurrency && this.#queue.size > 0 && !this.#abandoned) {
      this.#lanes++;
      void this.#lane();
    }
  }

  /**
   * Takes batches off the queue and writes them until the queue is empty. The emptiness check and
   * the lane's exit happen in one synchronous step, so an event offered meanwhile always finds
   * either a running lane or none (and then schedules one).
   */
  async #lane(): Promise<void> {
    try {
      while (this.#queue.size > 0 && !this.#abandoned) {
        const records = this.#queue.take(this.#options.batchSize);
        const batch: InFlightBatch = { start: this.#taken, records };
        this.#taken += records.length;
        this.#inFlight.add(batch);
        await this.#writeWithRetry(records);
        if (this.#abandoned) return;
        this.#inFlight.delete(batch);
        this.#notify();
      }
    } finally {
      this.#lanes--;
      this.#notify();
    }
  }

  /** Every accepted record before this position is written, failed or dropped (in-flight batches may finish out of order). */
  #settledUpTo(): number {
    let settled = this.#taken;
    for (const batch of this.#inFlight) settled = Math.min(settled, batch.start);
    return settled;
  }

  async #writeWithRetry(batch: EventRecord[]): Promise<void> {
    const { maxRetries, retryBaseMs, retryMaxMs } = this.#options;
    for (let attempt = 0; !this.#abandoned; attempt++) {
      try {
        await this.#writeOnce(batch);
        if (this.#abandoned) return;
        this.#written += batch.length;
        this.#batches++;
        this.#lastError = null;
        this.#callerWriteFailed = false;
        return;
      } catch (error) {
        if (this.#abandoned) return;
        this.#fail(error, 'write', { attempt, batch: batch.length });
        // see transienceOf: false means refused as it is, true means nothing is wrong with the events
        const transient = transienceOf(error);
        if (transient === false) return this.#isolateFailure(batch);
        if (attempt >= maxRetries) return transient ? this.#giveUp(batch) : this.#isolateFailure(batch);
        this.#retries++;
        const backoff = Math.min(retryMaxMs, retryBaseMs * 2 ** attempt);
        // writers contending for one lock spread out instead of retrying in step
        await delay(transient ? backoff / 2 + (Math.random() * backoff) / 2 : backoff);
      }
    }
  }

  /**
   * A batch failed on every retry (or was refused: `transient: false`). Write its halves once each: when one half goes through, the other
   * is split again, so one event the sink cannot take (a poison event) fails alone. When both halves
   * fail the sink itself is failing, and the whole batch is counted failed without more attempts.
   */
  async #isolateFailure(batch: EventRecord[]): Promise<void> {
    if (batch.length > 1) {
      const middle = Math.ceil(batch.length / 2);
      const halves = [batch.slice(0, middle), batch.slice(middle)];
      const failedHalves: EventRecord[][] = [];
      for (const half of halves) {
        if (this.#abandoned) return;
        try {
          await this.#writeOnce(half);
          if (this.#abandoned) return;
          this.#written += half.length;
          this.#batches++;
        } catch (error) {
          if (this.#abandoned) return;
          this.#fail(error, 'write', { batch: half.length });
          failedHalves.push(half);
        }
      }
      if (failedHalves.length === 1) return this.#isolateFailure(failedHalves[0]!);
      if (failedHalves.length === 0) return;
    }
    this.#giveUp(batch);
  }

  /** Counts the batch's events as failed (undelivered by this sink). */
  #giveUp(batch: EventRecord[]): void {
    if (this.#abandoned) return;
    this.#failed += batch.length;
    for (const record of batch) record.undelivered++;
    this.#lose('write_failed', batch);
    this.#log.error(`sink "${this.sink.name}" gave up on ${batch.length} events`, {
      first_event_id: batch[0]!.envelope.event_id,
    });
  }

  /** One `write`; a write that has not settled after `writeTimeoutMs` is reported (once), never run twice at once. */
  #writeOnce(batch: EventRecord[]): Promise<void> | void {
    const result = this.sink.write(batch);
    if (result === undefined) return;
    const timer = setTimeout(() => {
      this.#fail(new Error(`write has not settled after ${this.#options.writeTimeoutMs} ms`), 'write');
    }, this.#options.writeTimeoutMs);
    return Promise.resolve(result).finally(() => clearTimeout(timer));
  }

  #notify(): void {
    if (this.#flushWaiters.length > 0) {
      const pending: Waiter[] = [];
      const settled = this.#settledUpTo();
      for (const waiter of this.#flushWaiters) {
        if (settled >= waiter.target) waiter.resolve();
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

  #lose(reason: LossReason, records: readonly EventRecord[]): void {
    try {
      this.#onLoss?.(reason, records);
    } catch {
      // reporting a loss must never break the pipeline either
    }
  }

  #fail(error: unknown, operation: string, detail?: Record<string, unknown>): void {
    const err = toError(error);
    this.#lastError = `${operation}: ${err.message}`;
    this.#log.warn(`sink "${this.sink.name}" ${operation} failed: ${err.message}`, detail);
    try {
      this.#onError(err);
    } catch {
      // the error handler itself must never break the pipeline
    }
  }
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Resolves true when `work` settles before `deadline` (epoch ms), false when the deadline comes first. */
export async function withDeadline(work: Promise<unknown>, deadline: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([work.then(() => true), expired]);
  } finally {
    clearTimeout(timer);
  }
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
