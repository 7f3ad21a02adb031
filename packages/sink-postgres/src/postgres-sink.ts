import { diag, type EventRecord, OBS_ERROR_CODES, ObsError, type Sink, type SinkHealth } from '@obs/core';
import { type PostgresMigrationResult, postgresPasswordRedactor, safePostgresUrl } from '@obs/store-format';
import { writeError } from './internal/classify-error.js';
import { commitBatch } from './internal/commit-batch.js';
import type { ConnectionSettings } from './internal/connection-config.js';
import { HandedBatches } from './internal/handed-batches.js';
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
  let handed: HandedBatches<EventRecord> | undefined;
  const writerThread = () => {
    thread ??= new WriterThread(settings, {
      connections: resolved.connections,
      partitionsAhead: resolved.partitionsAhead,
      syncTimeoutMs: resolved.syncWriteTimeoutMs,
    });
    return thread;
  };
  // one batch more than there are connections: the host prepares it while the others are in the database
  const handedBatches = () => {
    handed ??= new HandedBatches<EventRecord>(writerThread(), resolved.connections + 1, {
      committed: (batch, inserted) => committed(batch, inserted),
      failed: (error) => failed(error),
    });
    return handed;
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
    if ((handed?.heldEvents ?? 0) === 0) lastError = null;
  };
  /** Writes the batches a failed handed write left held again; throws when one fails again. */
  const retryHeld = async () => {
    if (handed === undefined || handed.heldEvents === 0) return;
    handed.retryHeld();
    await handed.settled();
    handed.throwIfHeld();
  };
  /** Waits for every handed batch, then writes the held ones again. */
  const settleHanded = async () => {
    await handed?.settled();
    await retryHeld();
  };

  return {
    name: resolved.name,
    url,
    schema: resolved.schema,
    // Batches of 1 000 rows make COPY pay off. One batch more than there are connections is in
    // flight: the host prepares it (COPY text, deltas) while the others are in the database; commits
    // keep the order batches were handed over. Capacity is core's default: events waiting longer in a
    // bigger queue outlive young-generation collections, and the GC's threads cost the host CPU.
    queueDefaults: { batchSize: 1_000, concurrency: resolved.connections + 1, capacity: 2_048 },
    get duplicates() {
      return duplicates;
    },
    ready: open,
    async write(batch) {
      assertOpen();
      if (batch.length === 0) return;
      try {
        await retryHeld();
        const writer = writerThread();
        committed(batch, await commitBatch(batch, (prepared) => writer.write(prepared)));
      } catch (error) {
        throw failed(error);
      }
    },
    // Returns once the writer thread has the batch (see HandedBatches); its commit is awaited by flush()
    writeSync(batch) {
      assertOpen();
      if (batch.length === 0) return;
      try {
        const batches = handedBatches();
        batches.settle();
        if (batches.heldEvents > 0) {
          batches.retryHeld();
          batches.settleAll();
          batches.throwIfHeld();
        }
        batches.hand(batch);
      } catch (error) {
        throw failed(error);
      }
    },
    async flush() {
      try {
        await settleHanded();
      } catch (error) {
        throw failed(error);
      }
    },
    close() {
      closed = true;
      closing ??= (async () => {
        let error: unknown;
        await settleHanded().catch((e: unknown) => {
          error = e;
        });
        const unwritten = handed?.heldEvents ?? 0;
        await thread?.close();
        if (error !== undefined) {
          throw failed(
            writeError(
              `${prefix} closed with ${unwritten} events taken by writeSync unwritten`,
              error,
              redact,
            ),
          );
        }
      })();
      return closing;
    },
    health(): SinkHealth {
      if (closed) return { ok: false, detail: 'closed' };
      const held = handed?.heldEvents ?? 0;
      if (held > 0) return { ok: false, detail: `${held} events held to be written again: ${lastError}` };
      if (lastError !== null) return { ok: false, detail: lastError };
      return { ok: true, detail: `${url} schema ${resolved.schema}` };
    },
  };
}
