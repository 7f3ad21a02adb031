import { parentPort, workerData } from 'node:worker_threads';
import { type PackedEventFacts, unpackEventFacts } from '@obs/store-format';
import type { ResolvedSqliteSinkOptions } from '../options.js';
import { BatchWriter } from './batch-writer.js';
import { openDatabase } from './open-database.js';

/** A request to the writer thread: canonical lines and their packed facts to commit, or `null` to close. */
export interface WorkerRequest {
  id: number;
  lines: string[] | null;
  /** `packEventFacts` of the lines' envelopes. */
  facts?: PackedEventFacts;
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
function commit(lines: string[], facts: PackedEventFacts | undefined): number {
  if (facts === undefined) throw new Error(`a batch of ${lines.length} lines came without its facts`);
  return writer.write(unpackEventFacts(facts, lines));
}

port.on('message', ({ id, lines, facts }: WorkerRequest) => {
  if (lines === null) {
    db.close();
    port.postMessage({ id } satisfies WorkerReply);
    port.close();
    return;
  }
  try {
    port.postMessage({ id, inserted: commit(lines, facts) } satisfies WorkerReply);
  } catch (error) {
    const e = error as Error & { code?: unknown };
    port.postMessage({
      id,
      error: { message: e.message, ...(typeof e.code === 'string' ? { code: e.code } : {}) },
    } satisfies WorkerReply);
  }
});
