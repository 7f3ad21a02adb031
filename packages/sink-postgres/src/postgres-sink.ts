import { diag, type EventRecord, OBS_ERROR_CODES, ObsError, type Sink, type SinkHealth } from '@obs/core';
import {
  migratePostgresSchema,
  type PostgresMigrationResult,
  postgresPasswordRedactor,
  safePostgresUrl,
} from '@obs/store-format';
import pg from 'pg';
import { BatchWriter } from './internal/batch-writer.js';
import { writeError } from './internal/classify-error.js';
import { type ConnectionSettings, clientConfig } from './internal/connection-config.js';

import { SyncWriter } from './internal/sync-writer.js';
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
 * Returns a sink writing each batch, with the run and session summaries, in one PostgreSQL
 * transaction. It connects lazily: the first write (or `ready()`) creates or migrates the schema.
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
  const pool = new pg.Pool({
    ...clientConfig(settings),
    max: resolved.connections,
    idleTimeoutMillis: 10_000,
  });
  // an idle connection the server ended: the pool drops it, the next write connects again
  pool.on('error', (error) => logger.warn(redact(`idle connection lost: ${error.message}`)));
  const writer = new BatchWriter(resolved.schema, resolved.partitionsAhead);
  const syncWriter = new SyncWriter(settings, resolved.partitionsAhead, resolved.syncWriteTimeoutMs);
  let opening: Promise<PostgresMigrationResult> | undefined;
  let closed = false;
  let closing: Promise<void> | undefined;
  let duplicates = 0;
  let lastError: string | null = null;
  const prefix = `postgres sink "${resolved.name}" (${url})`;

  const open = (): Promise<PostgresMigrationResult> => {
    opening ??= (async () => {
      const client = await pool.connect();
      try {
        const migration = await migratePostgresSchema(client, resolved.schema);
        if (migration.applied.length > 0) {
          logger.info(`migrated schema ${resolved.schema} from ${migration.from} to ${migration.to}`);
        }
        await writer.prepare(client);
        return migration;
      } finally {
        client.release();
      }
    })().catch((error: unknown) => {
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
    // Batches of 1 000 rows make COPY pay off.
    queueDefaults: { batchSize: 1_000, concurrency: resolved.connections, capacity: 8_192 },
    get duplicates() {
      return duplicates;
    },
    ready: open,
    async write(batch) {
      assertOpen();
      if (batch.length === 0) return;
      try {
        await open();
        const client = await pool.connect();
        let broken: Error | undefined;
        try {
          committed(batch, await writer.write(client, batch));
        } catch (error) {
          const code = (error as { code?: unknown }).code;
          if (typeof code !== 'string' || code.startsWith('08')) broken = error as Error;
          throw error;
        } finally {
          client.release(broken);
        }
      } catch (error) {
        throw failed(error);
      }
    },
    writeSync(batch) {
      assertOpen();
      if (batch.length === 0) return;
      try {
        committed(batch, syncWriter.write(batch.map((r) => r.json)));
      } catch (error) {
        throw failed(error);
      }
    },
    flush() {},
    close() {
      closed = true;
      closing ??= (async () => {
        await syncWriter.close();
        await pool.end();
      })();
      return closing;
    },
    health(): SinkHealth {
      if (closed) return { ok: false, detail: 'closed' };
      if (lastError !== null) return { ok: false, detail: lastError };
      return { ok: true, detail: `${url} schema ${resolved.schema}` };
    },
  };
}
