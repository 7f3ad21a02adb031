import { assertPostgresSchemaCurrent, postgresPasswordRedactor, safePostgresUrl } from '@obs/store-format';
import pg from 'pg';
import { exportPages } from '../export-format.js';
import {
  ChildrenLimitSchema,
  EventQuerySchema,
  ExportFormatSchema,
  ExportQuerySchema,
  IdSchema,
  parseInput,
  RunQuerySchema,
  SessionQuerySchema,
  StatsQuerySchema,
  TailOptionsSchema,
} from '../query-schemas.js';
import type {
  EventQuery,
  ExportFormat,
  Page,
  ReadStore,
  RunQuery,
  RunSummary,
  SessionQuery,
  SessionSummary,
  Stats,
  StatsQuery,
  StoredEvent,
  TailedEvent,
  TailOptions,
  TraceTree,
} from '../read-store.js';
import { ReadStoreError } from '../read-store-error.js';
import { buildTraceTree, MAX_TRACE_EVENTS } from '../trace-tree.js';
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
  return new PostgresReadStore(pool, config, o.schema, redact);
}

class PostgresReadStore implements ReadStore {
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

  async listRuns(query: RunQuery = {}): Promise<Page<RunSummary>> {
    const q = parseInput(RunQuerySchema, query, 'run query');
    return this.#read(() => this.#summaries.listRuns(q));
  }

  async getRun(runId: string): Promise<RunSummary> {
    const id = parseInput(IdSchema, runId, 'run_id');
    return this.#read(() => this.#summaries.getRun(id));
  }

  async listSessions(query: SessionQuery = {}): Promise<Page<SessionSummary>> {
    const q = parseInput(SessionQuerySchema, query, 'session query');
    return this.#read(() => this.#summaries.listSessions(q));
  }

  async getSession(sessionId: string): Promise<SessionSummary & { runs: RunSummary[] }> {
    const id = parseInput(IdSchema, sessionId, 'session_id');
    return this.#read(() => this.#summaries.getSession(id));
  }

  async listEvents(query: EventQuery = {}): Promise<Page<StoredEvent>> {
    const q = parseInput(EventQuerySchema, query, 'event query');
    return this.#read(() => this.#events.list(q));
  }

  async getEvent(eventId: string): Promise<StoredEvent> {
    const id = parseInput(IdSchema, eventId, 'event_id');
    return this.#read(() => this.#events.get(id));
  }

  async getChildren(eventId: string, limit?: number): Promise<StoredEvent[]> {
    const id = parseInput(IdSchema, eventId, 'event_id');
    const n = parseInput(ChildrenLimitSchema, limit, 'limit');
    return this.#read(() => this.#events.children(id, n));
  }

  async getTraceTree(runId: string): Promise<TraceTree> {
    const id = parseInput(IdSchema, runId, 'run_id');
    return this.#read(async () => {
      const events = await this.#events.ofRun(id, MAX_TRACE_EVENTS + 1);
      const truncated = events.length > MAX_TRACE_EVENTS;
      if (truncated) events.length = MAX_TRACE_EVENTS;
      const tree = buildTraceTree(id, events);
      if (truncated) tree.truncated = true;
      return tree;
    });
  }

  async stats(query: StatsQuery = {}): Promise<Stats> {
    const q = parseInput(StatsQuerySchema, query, 'stats query');
    return this.#read((pool) => postgresStats(pool, q));
  }

  tail(options: TailOptions = {}): AsyncIterable<TailedEvent> {
    const o = parseInput(TailOptionsSchema, options, 'tail options');
    const pool = this.#open();
    return postgresTail(pool, this.#config, this.#schema, o, () => this.#pool !== undefined);
  }

  exportEvents(query: Omit<EventQuery, 'cursor' | 'limit'>, format: ExportFormat): AsyncIterable<string> {
    parseInput(ExportQuerySchema, query, 'export query');
    const f = parseInput(ExportFormatSchema, format, 'format');
    return exportPages(
      (cursor) => this.listEvents({ ...query, limit: 1000, ...(cursor ? { cursor } : {}) }),
      f,
    );
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
