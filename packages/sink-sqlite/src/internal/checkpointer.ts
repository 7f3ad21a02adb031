import { Worker } from 'node:worker_threads';
import type { DiagLogger } from '@obs/core';
import type { CheckpointRequest, CheckpointWorkerData } from './checkpoint-worker.js';

/** How the checkpoint thread polls. */
export type CheckpointerOptions = CheckpointWorkerData;

/**
 * Runs WAL checkpoints on a thread of their own, so copying WAL frames into the database file, and
 * its `fsync`, leave the writer's thread. The writer keeps its `wal_autocheckpoint` as a backstop:
 * it finds little left to copy while this thread keeps up, and bounds the WAL if it falls behind
 * or dies. The thread runs `checkpoint-worker.js`, built next to this module.
 */
export class Checkpointer {
  readonly #worker: Worker;
  #stopped: Promise<void> | undefined;
  #alive = true;

  constructor(options: CheckpointerOptions, logger: DiagLogger) {
    this.#worker = new Worker(new URL('./checkpoint-worker.js', import.meta.url), { workerData: options });
    this.#worker.unref();
    this.#worker.on('error', (error) => {
      this.#alive = false;
      logger.warn(`the SQLite checkpoint thread stopped (${error.message}); the writer checkpoints alone`);
    });
    this.#worker.on('exit', () => {
      this.#alive = false;
    });
  }

  /** False once the thread has ended (stopped, or failed to start); the writer then checkpoints alone. */
  get running(): boolean {
    return this.#alive;
  }

  /** Stops the thread; resolves once it has closed its connection and ended. */
  stop(): Promise<void> {
    this.#stopped ??= this.#alive ? this.#askToStop() : Promise.resolve();
    return this.#stopped;
  }

  #askToStop(): Promise<void> {
    // unref'd while it runs; while it stops it must hold the loop open, or in a process with nothing
    // else to do the loop ends before the `exit` event and `close()` never settles
    this.#worker.ref();
    const exited = new Promise<void>((resolve) => this.#worker.once('exit', () => resolve()));
    this.#worker.postMessage('stop' satisfies CheckpointRequest);
    return exited;
  }
}
