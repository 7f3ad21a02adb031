import { Worker } from 'node:worker_threads';
import type { DrillFacts, SnapshotFacts, SqliteTask, SqliteTaskReply } from './sqlite-task-worker.js';

/** An SQLite failure reported by the worker, with SQLite's error code (`SQLITE_NOTADB`, `SQLITE_FULL`…). */
export class SqliteWorkerError extends Error {
  readonly sqliteCode: string | undefined;
  constructor(message: string, sqliteCode: string | undefined) {
    super(message);
    this.name = 'SqliteWorkerError';
    this.sqliteCode = sqliteCode;
  }
}

/**
 * Runs one SQLite task in a worker thread (`sqlite-task-worker.js`, built next to this module) so the
 * host's event loop never waits on it.
 */
export function runInWorker(task: {
  kind: 'snapshot';
  source: string;
  target: string;
  busyTimeoutMs: number;
}): Promise<SnapshotFacts>;
export function runInWorker(task: { kind: 'verify'; path: string }): Promise<string[]>;
export function runInWorker(task: { kind: 'drill'; path: string }): Promise<DrillFacts>;
export function runInWorker(task: SqliteTask): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./sqlite-task-worker.js', import.meta.url), { workerData: task });
    let settled = false;
    worker.once('message', (reply: SqliteTaskReply) => {
      settled = true;
      if (reply.ok) resolve(reply.value);
      else reject(new SqliteWorkerError(reply.message, reply.code));
    });
    worker.once('error', (error) => {
      settled = true;
      reject(error);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`SQLite worker exited with code ${code} before answering`));
    });
  });
}
