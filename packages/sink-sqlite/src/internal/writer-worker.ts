import { parentPort, workerData } from 'node:worker_threads';
import type { ResolvedSqliteSinkOptions } from '../options.js';
import { BatchWriter } from './batch-writer.js';
import { busyBackoffMs, isBusyError, sleepSync } from './busy.js';
import type { EventRow } from './event-row.js';
import { openDatabase } from './open-database.js';

/** A request to the writer thread: rows to commit, or `null` to close. */
export interface WorkerRequest {
  id: number;
  rows: EventRow[] | null;
}

/** The writer thread's answer to one request. */
export interface WorkerReply {
  id: number;
  inserted?: number;
  error?: { message: string; code?: string };
}

const options = workerData as ResolvedSqliteSinkOptions;
const { db } = openDatabase(options);
const writer = new BatchWriter(db);
const port = parentPort!;

function commit(batch: EventRow[]): number {
  const deadline = Date.now() + options.busyRetryMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return writer.write(batch);
    } catch (error) {
      if (!isBusyError(error) || Date.now() >= deadline) throw error;
      sleepSync(busyBackoffMs(attempt));
    }
  }
}

port.on('message', ({ id, rows }: WorkerRequest) => {
  if (rows === null) {
    db.close();
    port.postMessage({ id } satisfies WorkerReply);
    port.close();
    return;
  }
  try {
    port.postMessage({ id, inserted: commit(rows) } satisfies WorkerReply);
  } catch (error) {
    const e = error as Error & { code?: unknown };
    port.postMessage({
      id,
      error: { message: e.message, ...(typeof e.code === 'string' ? { code: e.code } : {}) },
    } satisfies WorkerReply);
  }
});
