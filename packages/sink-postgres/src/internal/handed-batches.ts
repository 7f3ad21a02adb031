import { StoredRetry } from './commit-batch.js';
import type { StoredEvent } from './prepared-batch.js';
import type { WriterThread } from './writer-thread.js';

/** A batch taken by `writeSync` whose write failed after the call returned: kept to be written again. */
export interface HeldBatch<T extends StoredEvent> {
  records: readonly T[];
  error: Error;
}

/**
 * The batches `writeSync` handed to the writer thread without waiting for their commit, at most
 * `slots` at once: the host prepares and emits the next batch while the database commits this one.
 * A caller finding every slot busy waits (blocked) until one commits, so memory stays bounded. A
 * handed batch meeting stored ids is prepared again without them; one that fails is held (never
 * dropped) for the sink to write again on its next call, and its error is what that call throws.
 */
export class HandedBatches<T extends StoredEvent> {
  readonly #thread: WriterThread;
  readonly #slots: number;
  readonly #committed: (records: readonly T[], inserted: number) => void;
  readonly #failed: (error: Error) => void;
  readonly #held: HeldBatch<T>[] = [];
  #inFlight = 0;
  #idle: (() => void)[] = [];

  constructor(
    thread: WriterThread,
    slots: number,
    told: {
      committed: (records: readonly T[], inserted: number) => void;
      failed: (error: Error) => void;
    },
  ) {
    this.#thread = thread;
    this.#slots = slots;
    this.#committed = told.committed;
    this.#failed = told.failed;
  }

  /** Events held after a failure. */
  get heldEvents(): number {
    let n = 0;
    for (const held of this.#held) n += held.records.length;
    return n;
  }

  /** Hands every held batch to the thread again (blocking while the slots are busy). */
  retryHeld(): void {
    const held = this.#held.splice(0);
    while (held.length > 0) {
      try {
        this.hand(held[0]!.records);
      } catch (error) {
        this.#held.unshift(...held);
        throw error;
      }
      held.shift();
    }
  }

  /** Throws the error of the first batch still held, if any. */
  throwIfHeld(): void {
    if (this.#held.length > 0) throw this.#held[0]!.error;
  }

  /** Blocks until every handed batch is settled. */
  settleAll(): void {
    this.#thread.pump(() => this.#inFlight === 0);
  }

  /** Settles the replies that arrived, without blocking. */
  settle(): void {
    this.#thread.pump(() => true);
  }

  /** Blocks until a slot is free, then prepares `records` and hands them to the thread. */
  hand(records: readonly T[]): void {
    this.#thread.pump(() => this.#inFlight < this.#slots);
    const retry = new StoredRetry(records);
    const send = () => {
      this.#thread.hand(retry.prepare(), (outcome, error) => {
        let inserted: number | undefined;
        try {
          if (error) throw error;
          inserted = retry.inserted(outcome!);
          if (inserted === undefined) return send();
        } catch (failure) {
          this.#held.push({ records, error: failure as Error });
          this.#failed(failure as Error);
        }
        this.#inFlight--;
        if (inserted !== undefined) this.#committed(records, inserted);
        if (this.#inFlight === 0) for (const resolve of this.#idle.splice(0)) resolve();
      });
    };
    send();
    this.#inFlight++;
  }

  /** Resolves once every handed batch is settled (committed or held). */
  async settled(): Promise<void> {
    if (this.#inFlight === 0) return;
    await new Promise<void>((resolve) => this.#idle.push(resolve));
  }
}
