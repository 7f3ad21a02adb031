import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { eventFactsTransfer, packEventFacts } from '@obs/store-format';
import type { ResolvedSqliteSinkOptions } from '../options.js';
import type { StoredEvent } from './batch-writer.js';
import type { WorkerData, WorkerReply, WorkerRequest } from './writer-worker.js';

type Pending = { resolve: (inserted: number) => void; reject: (error: Error) => void };

/** Wait before the second respawn in a row; doubles with each further death, up to the maximum. */
export const RESPAWN_BASE_MS = 250;
/** Longest wait between respawns of a thread that keeps dying. */
export const RESPAWN_MAX_MS = 10_000;
/** How much longer than the busy timeout `writeSync` waits for the thread before it gives up. */
const SYNC_MARGIN_MS = 10_000;

/** A running writer thread and the channel its replies come back on. */
interface Thread {
  worker: Worker;
  port: MessagePort;
  /** Set to 1 by the thread after it replied to a `sync` request. */
  flag: Int32Array;
}

/** Internal hooks; `onSpawn` sees each writer thread started (tests use it to end one). */
export interface WorkerWriterHooks {
  onSpawn?: (worker: Worker) => void;
}

/**
 * The host side of the writer thread: sends canonical lines with their packed facts (so the thread
 * parses no JSON), resolves with the count inserted. `writeSync` (caller-runs) hands the batch to the
 * same thread and blocks in `Atomics.wait` until it committed: the host never writes beside the
 * thread, so a full queue costs the caller its time, not a second writer fighting for the lock.
 * The thread keeps the process alive only while a request is pending. When the thread dies, its
 * pending writes fail and the next write starts a new thread: at once after one death, then after
 * {@link RESPAWN_BASE_MS} doubling to {@link RESPAWN_MAX_MS} while deaths follow each other without
 * a successful write; a write before then fails at once and is retried by the sink's queue.
 */
export class WorkerWriter {
  readonly #data: Omit<ResolvedSqliteSinkOptions, 'logger'>;
  readonly #hooks: WorkerWriterHooks;
  readonly #pending = new Map<number, Pending>();
  #thread: Thread | undefined;
  #nextId = 0;
  /** Deaths since the last successful write, and the last one. */
  #deaths = 0;
  #death: { error: Error; at: number } | undefined;
  #closing = false;

  constructor(options: ResolvedSqliteSinkOptions, hooks: WorkerWriterHooks = {}) {
    const { logger: _logger, ...data } = options;
    this.#data = data;
    this.#hooks = hooks;
    this.#thread = this.#spawn();
  }

  /** Commits events in the writer thread; rejects with the thread's error (its `code` kept). */
  write(batch: readonly StoredEvent[]): Promise<number> {
    let thread: Thread;
    try {
      thread = this.#running();
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#send(thread, request(batch, false));
  }

  /** Commits events in the writer thread and blocks until it did; throws the thread's error. */
  writeSync(batch: readonly StoredEvent[]): number {
    const thread = this.#running();
    const sent = request(batch, true);
    const id = this.#nextId++;
    Atomics.store(thread.flag, 0, 0);
    thread.port.postMessage({ id, ...sent } satisfies WorkerRequest, transfer(sent));
    const timeoutMs = this.#data.busyTimeoutMs + SYNC_MARGIN_MS;
    if (Atomics.wait(thread.flag, 0, 0, timeoutMs) === 'timed-out') {
      throw new Error(`the SQLite writer thread did not commit within ${timeoutMs} ms`);
    }
    // replies to earlier writes come first: settle them, then take this one
    for (let m = receiveMessageOnPort(thread.port); m !== undefined; m = receiveMessageOnPort(thread.port)) {
      const reply = m.message as WorkerReply;
      if (reply.id !== id) {
        this.#settle(thread, reply);
        continue;
      }
      if (reply.error) throw Object.assign(new Error(reply.error.message), { code: reply.error.code });
      this.#deaths = 0;
      return reply.inserted ?? 0;
    }
    throw new Error('the SQLite writer thread signalled a commit without a reply');
  }

  /** False while a thread that died is not yet to be started again: the host writes itself meanwhile. */
  get available(): boolean {
    if (this.#closing) return false;
    if (this.#thread !== undefined) return true;
    return respawnDelayMs(this.#deaths) <= Date.now() - this.#death!.at;
  }

  /** The live thread, started anew after a death unless it died again too recently. */
  #running(): Thread {
    if (this.#closing) throw new Error('the SQLite writer thread is closed');
    if (this.#thread !== undefined) return this.#thread;
    const death = this.#death!;
    const wait = respawnDelayMs(this.#deaths) - (Date.now() - death.at);
    if (wait > 0)
      throw new Error(`${death.error.message}; a new writer thread starts in ${Math.ceil(wait)} ms`);
    this.#thread = this.#spawn();
    return this.#thread;
  }

  /** Closes the database in the thread and waits for the thread to end. */
  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    const thread = this.#thread;
    if (thread === undefined) return;
    thread.worker.ref();
    const exited = new Promise((resolve) => thread.worker.once('exit', resolve));
    await this.#send(thread, { lines: null, sync: false }).catch(() => {});
    await exited;
  }

  #spawn(): Thread {
    const { port1, port2 } = new MessageChannel();
    const shared = new SharedArrayBuffer(4);
    const workerData: WorkerData = { options: this.#data, port: port2, flag: shared };
    const worker = new Worker(new URL('./writer-worker.js', import.meta.url), {
      workerData,
      transferList: [port2],
    });
    const thread: Thread = { worker, port: port1, flag: new Int32Array(shared) };
    worker.unref();
    port1.unref();
    port1.on('message', (reply: WorkerReply) => this.#settle(thread, reply));
    worker.on('error', (error) => this.#died(thread, error));
    worker.on('exit', (code) =>
      this.#died(thread, new Error(`the SQLite writer thread exited (code ${code})`)),
    );
    this.#hooks.onSpawn?.(worker);
    return thread;
  }

  #send(thread: Thread, sent: Omit<WorkerRequest, 'id'>): Promise<number> {
    const id = this.#nextId++;
    try {
      thread.port.postMessage({ id, ...sent } satisfies WorkerRequest, transfer(sent));
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.#pending.size === 0) {
      thread.worker.ref();
      thread.port.ref();
    }
    return new Promise<number>((resolve, reject) => this.#pending.set(id, { resolve, reject }));
  }

  #settle(thread: Thread, reply: WorkerReply): void {
    const pending = this.#pending.get(reply.id);
    if (!pending) return;
    this.#pending.delete(reply.id);
    if (this.#pending.size === 0 && !this.#closing) {
      thread.worker.unref();
      thread.port.unref();
    }
    if (reply.error) {
      pending.reject(Object.assign(new Error(reply.error.message), { code: reply.error.code }));
    } else {
      this.#deaths = 0;
      pending.resolve(reply.inserted ?? 0);
    }
  }

  /** The thread failed or exited (`error` is followed by `exit`: only the first one counts). */
  #died(thread: Thread, error: Error): void {
    if (thread !== this.#thread) return;
    this.#thread = undefined;
    thread.port.close();
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

/** A batch as the thread takes it: the canonical lines and their packed facts. */
function request(batch: readonly StoredEvent[], sync: boolean): Omit<WorkerRequest, 'id'> {
  return { lines: batch.map((r) => r.json), facts: packEventFacts(batch.map((r) => r.envelope)), sync };
}

/** The typed arrays of a request, moved to the thread rather than copied. */
const transfer = (sent: Omit<WorkerRequest, 'id'>) => (sent.facts ? eventFactsTransfer(sent.facts) : []);
