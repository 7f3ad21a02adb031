import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { PostgresMigrationResult } from '@obs/store-format';
import type { WriteOutcome } from './batch-writer.js';
import type { ConnectionSettings } from './connection-config.js';
import { type PreparedBatch, transferOf } from './prepared-batch.js';

/** What the writer thread gets at start. */
export interface WriterThreadData {
  settings: ConnectionSettings;
  connections: number;
  partitionsAhead: number;
  flag: SharedArrayBuffer;
  port: MessagePort;
}

/** A request to the writer thread: a batch to commit, `ready` (connect and migrate), or `close`. */
export type WriterRequest =
  | { id: number; kind: 'write'; batch: PreparedBatch; sync: boolean }
  | { id: number; kind: 'ready' | 'close' };

/** The thread's answer to one request. */
export interface WriterReply {
  id: number;
  outcome?: WriteOutcome;
  migration?: PostgresMigrationResult;
  error?: { message: string; code?: string };
}

type Pending = { resolve: (reply: WriterReply) => void };

/** Told, on the host thread, how a batch handed over with {@link WriterThread.hand} ended. */
export type HandedReply = (outcome: WriteOutcome | undefined, error: Error | undefined) => void;

/**
 * The host side of the thread that owns the sink's connections. Every write goes through it: `write`
 * resolves when the thread committed; `hand` posts a batch and returns, its end told to a callback
 * on the host (from `pump`, which blocks the caller in `Atomics.wait`, or from the host's event loop,
 * whichever sees the reply first). A write to a server needs an event loop to wait on, and a
 * caller-runs write blocks the caller's loop; the thread has its own. One owner also means a
 * caller-run batch never waits for a lock held by a transaction of the blocked loop (which could
 * never commit).
 * The thread keeps the process alive only while a request is pending.
 */
export class WriterThread {
  readonly #worker: Worker;
  readonly #port: MessagePort;
  readonly #flag: Int32Array;
  readonly #timeoutMs: number;
  readonly #pending = new Map<number, Pending>();
  #nextId = 0;
  #dead: Error | undefined;
  #closing = false;

  constructor(
    settings: ConnectionSettings,
    options: { connections: number; partitionsAhead: number; syncTimeoutMs: number },
  ) {
    const { port1, port2 } = new MessageChannel();
    const shared = new SharedArrayBuffer(4);
    const data: WriterThreadData = {
      settings,
      connections: options.connections,
      partitionsAhead: options.partitionsAhead,
      flag: shared,
      port: port2,
    };
    this.#worker = new Worker(new URL('./writer-worker.js', import.meta.url), {
      workerData: data,
      transferList: [port2],
    });
    this.#worker.unref();
    this.#port = port1;
    this.#port.unref();
    this.#flag = new Int32Array(shared);
    this.#timeoutMs = options.syncTimeoutMs;
    this.#port.on('message', (reply: WriterReply) => this.#settle(reply));
    this.#worker.on('error', (error) => this.#died(error));
    this.#worker.on('exit', (code) =>
      this.#died(new Error(`the PostgreSQL writer thread exited (code ${code})`)),
    );
  }

  /** Connects and migrates the schema (once); resolves with what the migration did. */
  async ready(): Promise<PostgresMigrationResult> {
    const reply = await this.#send({ id: this.#nextId++, kind: 'ready' });
    return reply.migration!;
  }

  /** Commits a prepared batch in the thread; resolves with what it did. */
  async write(batch: PreparedBatch): Promise<WriteOutcome> {
    const request: WriterRequest = { id: this.#nextId++, kind: 'write', batch, sync: false };
    return (await this.#send(request, transferOf(batch))).outcome!;
  }

  /** Posts a prepared batch to the thread and returns at once; `done` is told how it ended. */
  hand(batch: PreparedBatch, done: HandedReply): void {
    if (this.#dead) throw this.#dead;
    const id = this.#nextId++;
    this.#track(id, (reply) =>
      reply.error ? done(undefined, replyError(reply.error)) : done(reply.outcome!, undefined),
    );
    this.#port.postMessage(
      { id, kind: 'write', batch, sync: true } satisfies WriterRequest,
      transferOf(batch),
    );
  }

  /**
   * Blocks the calling thread, settling replies as they come, until `until()` holds; throws (SQLSTATE
   * `57014`) when the thread answers no handed batch for the sync timeout.
   */
  pump(until: () => boolean): void {
    for (;;) {
      const seen = Atomics.load(this.#flag, 0);
      for (
        let message = receiveMessageOnPort(this.#port);
        message !== undefined;
        message = receiveMessageOnPort(this.#port)
      ) {
        this.#settle(message.message as WriterReply);
      }
      if (until()) return;
      if (this.#dead) throw this.#dead;
      if (Atomics.wait(this.#flag, 0, seen, this.#timeoutMs) === 'timed-out') {
        throw Object.assign(new Error(`no commit from PostgreSQL within ${this.#timeoutMs} ms`), {
          code: '57014',
        });
      }
    }
  }

  /** Ends the connections and the thread. */
  async close(): Promise<void> {
    if (this.#dead) return;
    const exited = new Promise((resolve) => this.#worker.once('exit', resolve));
    this.#closing = true;
    this.#worker.ref();
    await this.#send({ id: this.#nextId++, kind: 'close' }).catch(() => {});
    await exited;
  }

  #send(request: WriterRequest, transfer: ArrayBuffer[] = []): Promise<WriterReply> {
    if (this.#dead) return Promise.reject(this.#dead);
    return new Promise<WriterReply>((resolve, reject) => {
      this.#track(request.id, (reply) => (reply.error ? reject(replyError(reply.error)) : resolve(reply)));
      this.#port.postMessage(request, transfer);
    });
  }

  /** Keeps the thread (and the process) alive until the reply to `id` is settled. */
  #track(id: number, resolve: (reply: WriterReply) => void): void {
    if (this.#pending.size === 0) {
      this.#worker.ref();
      this.#port.ref();
    }
    this.#pending.set(id, { resolve });
  }

  #settle(reply: WriterReply): void {
    const pending = this.#pending.get(reply.id);
    if (pending === undefined) return;
    this.#pending.delete(reply.id);
    if (this.#pending.size === 0 && !this.#closing) {
      this.#worker.unref();
      this.#port.unref();
    }
    pending.resolve(reply);
  }

  #died(error: Error): void {
    if (this.#dead) return;
    this.#dead = error;
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of pending) p.resolve({ id: -1, error: { message: error.message } });
  }
}

const replyError = (error: NonNullable<WriterReply['error']>): Error =>
  Object.assign(new Error(error.message), { code: error.code });
