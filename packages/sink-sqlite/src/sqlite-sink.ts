import {
  diag,
  type EventRecord,
  OBS_ERROR_CODES,
  ObsError,
  ObsTransientError,
  type Sink,
  type SinkHealth,
} from '@obs/core';
import type { MigrationResult } from '@obs/store-format';
import { BatchWriter } from './internal/batch-writer.js';
import { isBusyError } from './internal/busy.js';
import { Checkpointer } from './internal/checkpointer.js';
import { openDatabase } from './internal/open-database.js';
import { WorkerWriter } from './internal/worker-writer.js';
import { parseSqliteSinkOptions, type SqliteSinkOptions } from './options.js';

/** The SQLite sink: a `Sink` plus what it found when opening the file. */
export interface SqliteSink extends Sink {
  /** The database file. */
  readonly path: string;
  /** Schema versions before and after opening, and the migrations applied. */
  readonly migration: MigrationResult;
  /** Events skipped because their `event_id` was already stored. */
  readonly duplicates: number;
  /** Commits the batch on this thread, in worker mode too (caller-runs). */
  writeSync(batch: readonly EventRecord[]): void;
}

/** Batches handed to the writer thread before the first is answered (the queue's `concurrency` with `worker: true`). */
const WORKER_IN_FLIGHT = 8;

/** Commits one batch and returns how many events were new. */
interface Committer {
  commit(batch: readonly EventRecord[]): number | Promise<number>;
  close(): void | Promise<void>;
}

/**
 * Opens (creating or migrating) a WAL SQLite database and returns a sink writing each batch, with
 * the run and session summaries, in one transaction. Throws `ObsValidationError` for bad options,
 * `SqliteSchemaError` for a file newer than this build, `ObsError` (`OBS_SINK`) when the file cannot
 * be opened as a database.
 */
export function createSqliteSink(options: SqliteSinkOptions): SqliteSink {
  const resolved = parseSqliteSinkOptions(options);
  const logger = diag(resolved.logger, `sink-sqlite:${resolved.name}`);
  const { db, migration } = openDatabase(resolved);
  if (migration.applied.length > 0) {
    logger.info(`migrated ${resolved.path} from schema ${migration.from} to ${migration.to}`);
  }
  const checkpointer =
    resolved.checkpoint === 'background' && resolved.path !== ':memory:'
      ? new Checkpointer(
          {
            path: resolved.path,
            intervalMs: resolved.checkpointIntervalMs,
            targetFrames: Math.max(64, Math.floor(resolved.walAutocheckpointPages / 4)),
            idleIntervalMs: Math.max(250, resolved.checkpointIntervalMs),
          },
          logger,
        )
      : undefined;
  let committer: Committer | undefined;
  // Caller-runs (writeSync): a full queue makes the emitting code write, so nothing is dropped and
  // memory stays bounded. In-thread it commits on the host's connection; with a writer thread it
  // waits for the thread to commit, and writes on the host only while the thread is down.
  let hostWriter: BatchWriter | undefined;
  let worker: WorkerWriter | undefined;
  const writeOnHost = (batch: readonly EventRecord[]) => {
    hostWriter ??= new BatchWriter(db);
    return hostWriter.write(batch);
  };
  if (resolved.worker) {
    const thread = new WorkerWriter(resolved);
    worker = thread;
    // the thread gets the canonical lines and the few fields it needs, packed flat: no JSON parsing
    committer = {
      commit: (batch) => thread.write(batch),
      close: () => thread.close().finally(() => db.close()),
    };
  } else {
    committer = { commit: writeOnHost, close: () => void db.close() };
  }
  let duplicates = 0;
  let lastError: string | null = null;

  const committed = (batch: readonly EventRecord[], inserted: number): void => {
    duplicates += batch.length - inserted;
    lastError = null;
  };
  // A lock another connection holds past busyTimeoutMs is transient: the service's queue retries the
  // batch (with jittered backoff), so no retry loop here. The transaction rolled back: nothing half-written.
  const failure = (error: unknown): ObsError => {
    lastError = error instanceof Error ? error.message : String(error);
    const message = `sqlite sink "${resolved.name}" could not write a batch: ${lastError}`;
    return isBusyError(error)
      ? new ObsTransientError(message, { cause: error })
      : new ObsError(OBS_ERROR_CODES.SINK, message, { cause: error });
  };

  return {
    name: resolved.name,
    path: resolved.path,
    migration,
    // In-thread, batches of 128 keep one transaction under ~5 ms of the host's loop. The writer thread
    // takes a queue of batches of the service's size (the host still makes each batch's JSON). The
    // host hands batches over, and learns they committed, only when its loop turns: eight in flight
    // keep the thread busy through a host burst of 1000 emits, where three (768 events) left it idle.
    queueDefaults: resolved.worker ? { concurrency: WORKER_IN_FLIGHT } : { batchSize: 128, concurrency: 1 },
    get duplicates() {
      return duplicates;
    },
    write(batch) {
      if (committer === undefined) {
        throw new ObsError(OBS_ERROR_CODES.CLOSED, `sqlite sink "${resolved.name}" is closed`);
      }
      if (batch.length === 0) return;
      try {
        const result = committer.commit(batch);
        if (typeof result === 'number') return committed(batch, result);
        return result.then(
          (inserted) => committed(batch, inserted),
          (error) => {
            throw failure(error);
          },
        );
      } catch (error) {
        throw failure(error);
      }
    },
    writeSync(batch) {
      if (committer === undefined) {
        throw new ObsError(OBS_ERROR_CODES.CLOSED, `sqlite sink "${resolved.name}" is closed`);
      }
      if (batch.length === 0) return;
      try {
        committed(batch, worker?.available ? worker.writeSync(batch) : writeOnHost(batch));
      } catch (error) {
        throw failure(error);
      }
    },
    flush() {},
    close() {
      const closing = committer;
      committer = undefined;
      if (closing === undefined) return checkpointer?.stop();
      // The checkpoint thread stops first, so the writer's connection closes last: that close makes
      // the final checkpoint and removes the WAL (two connections closing at once may both leave it).
      return Promise.resolve(checkpointer?.stop()).then(() => closing.close());
    },
    health(): SinkHealth {
      if (committer === undefined) return { ok: false, detail: 'closed' };
      if (lastError !== null) return { ok: false, detail: lastError };
      if (checkpointer?.running === false) {
        return { ok: true, detail: 'the checkpoint thread stopped: the writer checkpoints alone' };
      }
      return { ok: true };
    },
  };
}
