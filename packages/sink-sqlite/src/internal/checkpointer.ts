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

/** What the thread did, reported when it stops. */
export interface CheckpointReport {
  /** Checkpoints run. */
  checkpoints: number;
  /** Of those, how many found another checkpoint running and did nothing. */
  busy: number;
  /** Of those, how many failed (an I/O error, a full disk); the thread backs off and goes on. */
  failed: number;
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
  const report: CheckpointReport = { checkpoints: 0, busy: 0, failed: 0 };
  let timer: NodeJS.Timeout | undefined;
  let wait = intervalMs;
  let lastLog = -1;
  const tick = () => {
    report.checkpoints++;
    try {
      const [row] = db.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number }[];
      if (row?.busy) report.busy++;
      const log = row?.log ?? -1;
      wait = log !== lastLog ? intervalMs : Math.min(idleIntervalMs, wait * 2);
      lastLog = log;
    } catch {
      // the writer's backstop checkpoints meanwhile; try again after the longest wait
      report.failed++;
      wait = idleIntervalMs;
    }
    timer = setTimeout(tick, wait);
  };
  parentPort?.on('message', () => {
    clearTimeout(timer);
    db.close();
    parentPort.postMessage(report);
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
  #stopped: Promise<CheckpointReport | undefined> | undefined;
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

  /** Stops the thread; resolves with what it did, or `undefined` if it had already ended. */
  stop(): Promise<CheckpointReport | undefined> {
    this.#stopped ??= this.#alive ? this.#askToStop() : Promise.resolve(undefined);
    return this.#stopped;
  }

  #askToStop(): Promise<CheckpointReport | undefined> {
    const worker = this.#worker;
    const stopped = new Promise<CheckpointReport | undefined>((resolve) => {
      worker.once('message', resolve);
      worker.once('exit', () => resolve(undefined));
    });
    worker.postMessage('stop');
    return stopped;
  }
}
