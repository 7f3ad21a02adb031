import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { DiagLogger } from '@obs/core';

/** How the checkpoint thread polls. */
export interface CheckpointerOptions {
  path: string;
  /** Wait between checkpoints while the WAL grows. */
  intervalMs: number;
  /** Longest wait while the WAL is idle (the wait doubles up to it). */
  idleIntervalMs: number;
}

/**
 * The thread's body: PASSIVE checkpoints, which copy committed WAL frames into the database file
 * without taking the write lock. Polls at `intervalMs` while frames arrive, backs off while none do.
 * Runs as an eval'd CommonJS script (the same text from `src` and `dist`), so it may only use
 * `require` and its own scope.
 */
function checkpointThread(): void {
  const { parentPort, workerData } = require('node:worker_threads') as typeof import('node:worker_threads');
  const Database = require(workerData.driver) as typeof import('better-sqlite3');
  const { path, intervalMs, idleIntervalMs } = workerData.options as CheckpointerOptions;
  const db = new Database(path, { fileMustExist: true });
  // never wait for a lock: a busy checkpoint is tried again on the next tick
  db.pragma('busy_timeout = 0');
  let timer: NodeJS.Timeout | undefined;
  let wait = intervalMs;
  let lastLog = -1;
  const tick = () => {
    try {
      const [row] = db.pragma('wal_checkpoint(PASSIVE)') as { log: number }[];
      const log = row?.log ?? -1;
      wait = log !== lastLog ? intervalMs : Math.min(idleIntervalMs, wait * 2);
      lastLog = log;
    } catch {
      // an I/O error or a full disk: the writer's backstop checkpoints meanwhile; try again later
      wait = idleIntervalMs;
    }
    timer = setTimeout(tick, wait);
  };
  // asked to stop: with the timer cleared and the port closed, the thread ends
  parentPort?.on('message', () => {
    clearTimeout(timer);
    db.close();
    parentPort.close();
  });
  tick();
}

const THREAD_SOURCE = `(${checkpointThread.toString()})()`;

/**
 * Runs WAL checkpoints on a thread of their own, so copying WAL frames into the database file, and
 * its `fsync`, leave the writer's thread. The writer keeps its `wal_autocheckpoint` as a backstop:
 * it finds little left to copy while this thread keeps up, and bounds the WAL if it falls behind
 * or dies.
 */
export class Checkpointer {
  readonly #worker: Worker;
  #stopped: Promise<void> | undefined;
  #alive = true;

  constructor(options: CheckpointerOptions, logger: DiagLogger) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.#worker = new Worker(THREAD_SOURCE, { eval: true, workerData: { driver, options } });
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
    this.#worker.postMessage('stop');
    return exited;
  }
}
