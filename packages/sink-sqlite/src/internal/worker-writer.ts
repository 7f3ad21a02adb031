import { Worker } from 'node:worker_threads';
import type { ResolvedSqliteSinkOptions } from '../options.js';
import type { WorkerReply, WorkerRequest } from './writer-worker.js';

type Pending = { resolve: (inserted: number) => void; reject: (error: Error) => void };

/**
 * The host side of the writer thread: sends canonical lines, resolves with the count inserted.
 * The thread keeps the process alive only while a request is pending.
 */
export class WorkerWriter {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #nextId = 0;
  #exited: Error | undefined;
  #closing = false;

  constructor(options: ResolvedSqliteSinkOptions) {
    const { logger: _logger, ...data } = options;
    this.#worker = new Worker(new URL('./writer-worker.js', import.meta.url), { workerData: data });
    this.#worker.unref();
    this.#worker.on('message', (reply: WorkerReply) => this.#settle(reply));
    this.#worker.on('error', (error) => this.#failAll(error));
    this.#worker.on('exit', (code) =>
      this.#failAll(new Error(`the SQLite writer thread exited (code ${code})`)),
    );
  }

  /** Commits lines in the writer thread; rejects with the thread's error (its `code` kept). */
  write(lines: string[]): Promise<number> {
    return this.#send(lines);
  }

  /** Closes the database in the thread and waits for the thread to end. */
  async close(): Promise<void> {
    if (this.#exited) return;
    this.#closing = true;
    this.#worker.ref();
    const exited = new Promise((resolve) => this.#worker.once('exit', resolve));
    await this.#send(null).catch(() => {});
    await exited;
  }

  #send(lines: string[] | null): Promise<number> {
    if (this.#exited) return Promise.reject(this.#exited);
    const id = this.#nextId++;
    const promise = new Promise<number>((resolve, reject) => this.#pending.set(id, { resolve, reject }));
    if (this.#pending.size === 1) this.#worker.ref();
    this.#worker.postMessage({ id, lines } satisfies WorkerRequest);
    return promise;
  }

  #settle(reply: WorkerReply): void {
    const pending = this.#pending.get(reply.id);
    if (!pending) return;
    this.#pending.delete(reply.id);
    if (this.#pending.size === 0 && !this.#closing) this.#worker.unref();
    if (reply.error)
      pending.reject(Object.assign(new Error(reply.error.message), { code: reply.error.code }));
    else pending.resolve(reply.inserted ?? 0);
  }

  #failAll(error: Error): void {
    this.#exited ??= error;
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
  }
}
