import { Worker } from 'node:worker_threads';
import { eventFactsTransfer, packEventFacts } from '@obs/store-format';
import type { ResolvedSqliteSinkOptions } from '../options.js';
import type { StoredEvent } from './batch-writer.js';
import type { WorkerReply, WorkerRequest } from './writer-worker.js';

type Pending = { resolve: (inserted: number) => void; reject: (error: Error) => void };

/** Wait before the second respawn in a row; doubles with each further death, up to the maximum. */
export const RESPAWN_BASE_MS = 250;
/** Longest wait between respawns of a thread that keeps dying. */
export const RESPAWN_MAX_MS = 10_000;

/** Internal hooks; `onSpawn` sees each writer thread started (tests use it to end one). */
export interface WorkerWriterHooks {
  onSpawn?: (worker: Worker) => void;
}

/**
 * The host side of the writer thread: sends canonical lines with their packed facts (so the thread
 * parses no JSON), resolves with the count inserted.
 * The thread keeps the process alive only while a request is pending. When the thread dies, its
 * pending writes fail and the next write starts a new thread: at once after one death, then after
 * {@link RESPAWN_BASE_MS} doubling to {@link RESPAWN_MAX_MS} while deaths follow each other without
 * a successful write; a write before then fails at once and is retried by the sink's queue.
 */
export class WorkerWriter {
  readonly #data: Omit<ResolvedSqliteSinkOptions, 'logger'>;
  readonly #hooks: WorkerWriterHooks;
  readonly #pending = new Map<number, Pending>();
  #worker: Worker | undefined;
  #nextId = 0;
  /** Deaths since the last successful write, and the last one. */
  #deaths = 0;
  #death: { error: Error; at: number } | undefined;
  #closing = false;

  constructor(options: ResolvedSqliteSinkOptions, hooks: WorkerWriterHooks = {}) {
    const { logger: _logger, ...data } = options;
    this.#data = data;
    this.#hooks = hooks;
    this.#worker = this.#spawn();
  }

  /** Commits events in the writer thread; rejects with the thread's error (its `code` kept). */
  write(batch: readonly StoredEvent[]): Promise<number> {
    if (this.#closing) return Promise.reject(new Error('the SQLite writer thread is closed'));
    let worker = this.#worker;
    if (worker === undefined) {
      const death = this.#death!;
      const wait = respawnDelayMs(this.#deaths) - (Date.now() - death.at);
      if (wait > 0) {
        return Promise.reject(
          new Error(`${death.error.message}; a new writer thread starts in ${Math.ceil(wait)} ms`),
        );
      }
      worker = this.#worker = this.#spawn();
    }
    const facts = packEventFacts(batch.map((r) => r.envelope));
    return this.#send(worker, { lines: batch.map((r) => r.json), facts }, eventFactsTransfer(facts));
  }

  /** Closes the database in the thread and waits for the thread to end. */
  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    const worker = this.#worker;
    if (worker === undefined) return;
    worker.ref();
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    await this.#send(worker, { lines: null }).catch(() => {});
    await exited;
  }

  #spawn(): Worker {
    const worker = new Worker(new URL('./writer-worker.js', import.meta.url), { workerData: this.#data });
    worker.unref();
    worker.on('message', (reply: WorkerReply) => this.#settle(worker, reply));
    worker.on('error', (error) => this.#died(worker, error));
    worker.on('exit', (code) =>
      this.#died(worker, new Error(`the SQLite writer thread exited (code ${code})`)),
    );
    this.#hooks.onSpawn?.(worker);
    return worker;
  }

  #send(worker: Worker, request: Omit<WorkerRequest, 'id'>, transfer: ArrayBuffer[] = []): Promise<number> {
    const id = this.#nextId++;
    try {
      worker.postMessage({ id, ...request } satisfies WorkerRequest, transfer);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.#pending.size === 0) worker.ref();
    return new Promise<number>((resolve, reject) => this.#pending.set(id, { resolve, reject }));
  }

  #settle(worker: Worker, reply: WorkerReply): void {
    const pending = this.#pending.get(reply.id);
    if (!pending) return;
    this.#pending.delete(reply.id);
    if (this.#pending.size === 0 && !this.#closing) worker.unref();
    if (reply.error) {
      pending.reject(Object.assign(new Error(reply.error.message), { code: reply.error.code }));
    } else {
      this.#deaths = 0;
      pending.resolve(reply.inserted ?? 0);
    }
  }

  /** The thread failed or exited (`error` is followed by `exit`: only the first one counts). */
  #died(worker: Worker, error: Error): void {
    if (worker !== this.#worker) return;
    this.#worker = undefined;
    if (!this.#closing) {
      this.#deaths++;
      this.#death = { error, at: Date.now() };
    }
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
  }
}

/** Wait before starting a new thread after `deaths` deaths in a row. */
function respawnDelayMs(deaths: number): number {
  return deaths <= 1 ? 0 : Math.min(RESPAWN_BASE_MS * 2 ** (deaths - 2), RESPAWN_MAX_MS);
}
