import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { ConnectionSettings } from './connection-config.js';

/** What the sync writer thread gets at start. */
export interface SyncWriterData {
  settings: ConnectionSettings;
  partitionsAhead: number;
  flag: SharedArrayBuffer;
  port: MessagePort;
}

/** The thread's answer to one batch. */
export interface SyncWriterReply {
  inserted?: number;
  error?: { message: string; code?: string };
}

/**
 * Caller-runs for PostgreSQL. A write to a server is I/O the event loop must wait for, so it cannot
 * happen synchronously on the loop's thread; instead a thread of its own (started on first use) holds
 * a connection and writes the batch, while the calling thread blocks in `Atomics.wait` until the
 * commit (or an error, or `timeoutMs`). That is what makes a full queue make `emit` wait instead of
 * dropping. The thread does not keep the process alive.
 */
export class SyncWriter {
  readonly #settings: ConnectionSettings;
  readonly #ahead: number;
  readonly #timeoutMs: number;
  #worker: Worker | undefined;
  #port: MessagePort | undefined;
  #flag: Int32Array | undefined;

  constructor(settings: ConnectionSettings, partitionsAhead: number, timeoutMs: number) {
    this.#settings = settings;
    this.#ahead = partitionsAhead;
    this.#timeoutMs = timeoutMs;
  }

  /** Writes canonical lines and blocks until they are committed; returns how many were new. */
  write(lines: readonly string[]): number {
    const { port, flag } = this.#start();
    Atomics.store(flag, 0, 0);
    port.postMessage(lines);
    if (Atomics.wait(flag, 0, 0, this.#timeoutMs) === 'timed-out') {
      // the thread is stuck: start afresh next time (its commit, if it comes, is idempotent)
      void this.close();
      throw Object.assign(new Error(`no commit from PostgreSQL within ${this.#timeoutMs} ms`), {
        code: '57014',
      });
    }
    const reply = receiveMessageOnPort(port)?.message as SyncWriterReply | undefined;
    if (reply?.error) throw Object.assign(new Error(reply.error.message), { code: reply.error.code });
    return reply?.inserted ?? 0;
  }

  /** Ends the thread, if it was started. */
  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    this.#port?.close();
    this.#port = undefined;
    if (worker !== undefined) await worker.terminate();
  }

  #start(): { port: MessagePort; flag: Int32Array } {
    if (this.#worker !== undefined && this.#port !== undefined && this.#flag !== undefined) {
      return { port: this.#port, flag: this.#flag };
    }
    const { port1, port2 } = new MessageChannel();
    const shared = new SharedArrayBuffer(4);
    const data = { settings: this.#settings, partitionsAhead: this.#ahead, flag: shared, port: port2 };
    const worker = new Worker(new URL('./sync-writer-worker.js', import.meta.url), {
      workerData: data,
      transferList: [port2],
    });
    worker.unref();
    worker.on('error', () => {
      if (this.#worker === worker) void this.close();
    });
    this.#worker = worker;
    this.#port = port1;
    this.#flag = new Int32Array(shared);
    return { port: port1, flag: this.#flag };
  }
}
