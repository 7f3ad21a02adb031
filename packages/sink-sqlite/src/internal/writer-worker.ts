import { type MessagePort, workerData } from 'node:worker_threads';
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
  /** The host is blocked in `Atomics.wait` on the flag until this is answered. */
  sync: boolean;
}

/** What the thread starts with: the sink's options, the port requests come on, and the flag `sync` replies raise. */
export interface WorkerData {
  options: Omit<ResolvedSqliteSinkOptions, 'logger'>;
  port: MessagePort;
  flag: SharedArrayBuffer;
}

/** The writer thread's answer to one request. */
export interface WorkerReply {
  id: number;
  inserted?: number;
  error?: { message: string; code?: string };
}

const { options, port, flag: shared } = workerData as WorkerData;
const flag = new Int32Array(shared);
const { db } = openDatabase(options as ResolvedSqliteSinkOptions);
const writer = new BatchWriter(db);

/** Commits once; a `SQLITE_BUSY` goes back to the host with its code, and the service's queue retries it. */
function commit(lines: string[], facts: PackedEventFacts | undefined): number {
  if (facts === undefined) throw new Error(`a batch of ${lines.length} lines came without its facts`);
  return writer.write(unpackEventFacts(facts, lines));
}

/** Answers a request; a host blocked on a `sync` one is woken once the reply is on its port. */
function reply(sync: boolean, message: WorkerReply): void {
  port.postMessage(message);
  if (!sync) return;
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
}

port.on('message', ({ id, lines, facts, sync }: WorkerRequest) => {
  if (lines === null) {
    db.close();
    reply(sync, { id });
    port.close();
    return;
  }
  try {
    reply(sync, { id, inserted: commit(lines, facts) });
  } catch (error) {
    const e = error as Error & { code?: unknown };
    reply(sync, {
      id,
      error: { message: e.message, ...(typeof e.code === 'string' ? { code: e.code } : {}) },
    });
  }
});
