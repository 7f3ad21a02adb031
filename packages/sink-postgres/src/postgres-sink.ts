import { diag, type EventRecord, OBS_ERROR_CODES, ObsError, type Sink, type SinkHealth } from '@obs/core';
import { type PostgresMigrationResult, postgresPasswordRedactor, safePostgresUrl } from '@obs/store-format';
import type { WriteOutcome } from './internal/batch-writer.js';
import { writeError } from './internal/classify-error.js';
import type { ConnectionSettings } from './internal/connection-config.js';
import { type PreparedBatch, prepareBatch } from './internal/prepared-batch.js';
import { WriterThread } from './internal/writer-thread.js';
import { type PostgresSinkOptions, parsePostgresSinkOptions } from './options.js';

/** The PostgreSQL sink: a `Sink` plus what it found when it first connected. */
export interface PostgresSink extends Sink {
  /** The connection URL with its password replaced by `***`. */
  readonly url: string;
  readonly schema: string;
  /** Resolves once the schema is migrated and today's partitions exist; rejects (password-free) when it cannot connect. */
  ready(): Promise<PostgresMigrationResult>;
  /** Events skipped because their `event_id` was already stored. */
  readonly duplicates: number;
}

/** How many times a batch is prepared again without ids found stored before the write fails as transient. */
const STORED_RETRIES = 4;

/**
 * Prepares `batch` on the host and hands it to `send` until it commits; ids found stored already
 * (a re-sent batch, or another writer committing them meanwhile) are left out of the next attempt.
 * Returns how many events were new.
 */
function commitBatch(batch: readonly EventRecord[], send: (batch: PreparedBatch) => WriteOutcome): number;
function commitBatch(
  batch: readonly EventRecord[],
  send: (batch: PreparedBatch) => Promise<WriteOutcome>,
): Promise<number>;
function commitBatch(
  batch: readonly EventRecord[],
  send: (batch: PreparedBatch) => WriteOutcome | Promise<WriteOutcome>,
): number | Promise<number> {
  const skip = new Set<string>();
  const attempt = (tries: number): number | Promise<number> => {
    const outcome = send(prepareBatch(batch, skip));
    const next = (o: WriteOutcome) => {
      if ('inserted' in o) return o.inserted;
      if (tries >= STORED_RETRIES) {
        throw Object.assign(new Error('the batch kept meeting ids committed by other writers'), {
          code: '23505',
        });
      }
      for (const id of o.stored) skip.add(id);
      return attempt(tries + 1);
    };
    return outcome instanceof Promise ? outcome.then(next) : next(outcome);
  };
  return attempt(0);
}

/**
 * Returns a sink writing each batch, with the run and session summaries and the stats rollups, in one
 * PostgreSQL transaction, from a writer thread that owns the connections (see `WriterThread`). It
 * connects lazily: the first write (or `ready()`) creates or migrates the schema.
 * Throws `ObsValidationError` for bad options; write errors name the server by its password-free URL.
 */
export function createPostgresSink(options: PostgresSinkOptions): PostgresSink {
  const resolved = parsePostgresSinkOptions(options);
  const redact = postgresPasswordRedactor(resolved.url);
  const url = safePostgresUrl(resolved.url);
  const logger = diag(resolved.logger, `sink-postgres:${resolved.name}`);
  const settings: ConnectionSettings = {
    url: resolved.url,
    schema: resolved.schema,
    ssl: resolved.ssl,
    connectTimeoutMs: resolved.connectTimeoutMs,
    applicationName: resolved.applicationName,
  };
  let thread: WriterThread | undefined;
  const writerThread = () => {
    thread ??= new WriterThread(settings, {
      connections: resolved.connections,
      partitionsAhead: resolved.partitionsAhead,
      syncTimeoutMs: resolved.syncWriteTimeoutMs,
    });
    return thread;
  };
  let opening: Promise<PostgresMigrationResult> | undefined;
  let closed = false;
  let closing: Promise<void> | undefined;
  let duplicates = 0;
  let lastError: string | null = null;
  const prefix = `postgres sink "${resolved.name}" (${url})`;

  const open = (): Promise<PostgresMigrationResult> => {
    opening ??= writerThread()
      .ready()
      .then((migration) => {
        if (migration.applied.length > 0) {
          logger.info(`migrated schema ${resolved.schema} from ${migration.from} to ${migration.to}`);
        }
        return migration;
      })
      .catch((error: unknown) => {
        opening = undefined;
        throw writeError(`${prefix} could not open the schema`, error, redact);
      });
    return opening;
  };

  const assertOpen = () => {
    if (closed) throw new ObsError(OBS_ERROR_CODES.CLOSED, `postgres sink "${resolved.name}" is closed`);
  };
  const failed = (error: unknown): ObsError => {
    const wrapped =
      error instanceof ObsError ? error : writeError(`${prefix} could not write a batch`, error, redact);
    lastError = wrapped.message;
    return wrapped;
  };
  const committed = (batch: readonly EventRecord[], inserted: number) => {
    duplicates += batch.length - inserted;
    lastError = null;
  };

  return {
    name: resolved.name,
    url,
    schema: resolved.schema,
    // Batches of 1 000 rows make COPY pay off. One batch more than there are connections is in
    // flight: the host prepares it (COPY text, deltas) while the others are in the database; commits
    // keep the order batches were handed over.
    queueDefaults: { batchSize: 1_000, concurrency: resolved.connections + 1, capacity: 8_192 },
    get duplicates() {
      return duplicates;
    },
    ready: open,
    async write(batch) {
      assertOpen();
      if (batch.length === 0) return;
      try {
        const writer = writerThread();
        committed(batch, await commitBatch(batch, (prepared) => writer.write(prepared)));
      } catch (error) {
        throw failed(error);
      }
    },
    writeSync(batch) {
      assertOpen();
      if (batch.length === 0) return;
      try {
        const writer = writerThread();
        committed(
          batch,
          commitBatch(batch, (prepared) => writer.writeSync(prepared)),
        );
      } catch (error) {
        throw failed(error);
      }
    },
    flush() {},
    close() {
      closed = true;
      closing ??= Promise.resolve(thread?.close());
      return closing;
    },
    health(): SinkHealth {
      if (closed) return { ok: false, detail: 'closed' };
      if (lastError !== null) return { ok: false, detail: lastError };
      return { ok: true, detail: `${url} schema ${resolved.schema}` };
    },
  };
}
