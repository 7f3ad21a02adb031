import type { Envelope } from '@obs/core';
import { assertPostgresSchemaCurrent, postgresPasswordRedactor, safePostgresUrl } from '@obs/store-format';
import pg from 'pg';
import { type ReadBackend, ValidatedReadStore } from '../internal/validated-read-store.js';
import {
  type ParsedEventQuery,
  type ParsedRunQuery,
  type ParsedSessionQuery,
  type ParsedStatsQuery,
  type ParsedTailOptions,
  parseInput,
} from '../query-schemas.js';
import type {
  Page,
  ReadStore,
  RunSummary,
  SessionSummary,
  Stats,
  StoredEvent,
  TailedEvent,
} from '../read-store.js';
import { ReadStoreError } from '../read-store-error.js';
import {
  type PostgresReadStoreOptions,
  PostgresReadStoreOptionsSchema,
  readerConfig,
} from './postgres-connection.js';
import { PostgresEvents } from './postgres-events.js';
import { postgresStats } from './postgres-stats.js';
import { PostgresSummaries } from './postgres-summaries.js';
import { postgresTail } from './postgres-tail.js';

/**
 * Opens the obs store in a PostgreSQL database (`postgres://…`), read-only: its connections are
 * `default_transaction_read_only`, it never migrates. Throws `ReadStoreError` `STORE_UNAVAILABLE`
 * when it cannot connect (the password never in the message), `UNSUPPORTED_SCHEMA` when the schema
 * is not an obs schema of this version, `INVALID_FILTER` for bad options.
 */
export async function openPostgresReadStore(
  url: string,
  options: PostgresReadStoreOptions = {},
): Promise<ReadStore> {
  const o = parseInput(PostgresReadStoreOptionsSchema, options, 'postgres options');
  const redact = postgresPasswordRedactor(url);
  const config = readerConfig(url, o);
  const pool = new pg.Pool({ ...config, max: o.connections, idleTimeoutMillis: 10_000 });
  pool.on('error', () => {});
  try {
    await assertPostgresSchemaCurrent(pool, o.schema);
  } catch (error) {
    await pool.end().catch(() => {});
    const message = redact((error as Error).message);
    if ((error as { code?: unknown }).code === 'OBS_SCHEMA_VERSION') {
      throw new ReadStoreError('UNSUPPORTED_SCHEMA', message);
    }
    throw new ReadStoreError(
      'STORE_UNAVAILABLE',
      `cannot read the obs store at ${safePostgresUrl(url)}: ${message}`,
    );
  }
  return new ValidatedReadStore(new PostgresBackend(pool, config, o.schema, redact));
}

/** The PostgreSQL answers behind `ValidatedReadStore`, every read on the pool, its errors password-free. */
class PostgresBackend implements ReadBackend {
  readonly kind = 'postgres' as const;
  #pool: pg.Pool | undefined;
  readonly #config: pg.ClientConfig;
  readonly #schema: string;
  readonly #redact: (text: string) => string;
  readonly #summaries: PostgresSummaries;
  readonly #events: PostgresEvents;

  constructor(pool: pg.Pool, config: pg.ClientConfig, schema: string, redact: (text: string) => string) {
    this.#pool = pool;
    this.#config = config;
    this.#schema = schema;
    this.#redact = redact;
    this.#summaries = new PostgresSummaries(pool);
    this.#events = new PostgresEvents(pool);
  }

  listRuns(query: ParsedRunQuery): Promise<Page<RunSummary>> {
    return this.#read(() => this.#summaries.listRuns(query));
  }

  getRun(runId: string): Promise<RunSummary> {
    return this.#read(() => this.#summaries.getRun(runId));
  }

  listSessions(query: ParsedSessionQuery): Promise<Page<SessionSummary>> {
    return this.#read(() => this.#summaries.listSessions(query));
  }

  getSession(sessionId: string): Promise<SessionSummary & { runs: RunSummary[] }> {
    return this.#read(() => this.#summaries.getSession(sessionId));
  }

  listEvents(query: ParsedEventQuery): Promise<Page<StoredEvent>> {
    return this.#read(() => this.#events.list(query));
  }

  getEvent(eventId: string): Promise<StoredEvent> {
    return this.#read(() => this.#events.get(eventId));
  }

  getChildren(eventId: string, limit: number): Promise<StoredEvent[]> {
    return this.#read(() => this.#events.children(eventId, limit));
  }

  runEvents(runId: string, limit: number): Promise<Envelope[]> {
    return this.#read(() => this.#events.ofRun(runId, limit));
  }

  stats(query: ParsedStatsQuery): Promise<Stats> {
    return this.#read((pool) => postgresStats(pool, query));
  }

  tail(options: ParsedTailOptions): AsyncIterable<TailedEvent> {
    return postgresTail(this.#open(), this.#config, this.#schema, options, () => this.#pool !== undefined);
  }

  async close(): Promise<void> {
    const pool = this.#pool;
    this.#pool = undefined;
    await pool?.end();
  }

  #open(): pg.Pool {
    if (this.#pool === undefined) throw new ReadStoreError('STORE_UNAVAILABLE', 'the read store is closed');
    return this.#pool;
  }

  async #read<T>(fn: (pool: pg.Pool) => Promise<T>): Promise<T> {
    const pool = this.#open();
    try {
      return await fn(pool);
    } catch (error) {
      if (error instanceof ReadStoreError) throw error;
      throw new ReadStoreError(
        'STORE_UNAVAILABLE',
        this.#redact(`reading the PostgreSQL store failed: ${(error as Error).message}`),
      );
    }
  }
}
