import { parentPort, workerData } from 'node:worker_threads';
import type { Envelope } from '@obs/core';
import type { ResolvedSqliteSinkOptions } from '../options.js';
import { BatchWriter } from './batch-writer.js';
import { openDatabase } from './open-database.js';

/** A request to the writer thread: canonical lines to commit, or `null` to close. */
export interface WorkerRequest {
  id: number;
  lines: string[] | null;
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

/** Commits once; a `SQLITE_BUSY` goes back to the host with its code, and the service's queue retries it. */
function commit(lines: string[]): number {
  return writer.write(lines.map((json) => ({ envelope: JSON.parse(json) as Envelope, json })));
}

port.on('message', ({ id, lines }: WorkerRequest) => {
  if (lines === null) {
    db.close();
    port.postMessage({ id } satisfies WorkerReply);
    port.close();
    return;
  }
  try {
    port.postMessage({ id, inserted: commit(lines) } satisfies WorkerReply);
  } catch (error) {
    const e = error as Error & { code?: unknown };
    port.postMessage({
      id,
      error: { message: e.message, ...(typeof e.code === 'string' ? { code: e.code } : {}) },
    } satisfies WorkerReply);
  }
});
