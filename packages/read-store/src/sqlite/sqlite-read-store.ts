import type Database from 'better-sqlite3';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { exportPages } from '../export-format.js';
import { sleep } from '../internal/sleep.js';
import { TAIL_PAGE, yieldToLoop } from '../internal/yield-to-loop.js';
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
import { buildTraceTreeFrom, MAX_TRACE_EVENTS } from '../trace-tree.js';
import { openReadonly } from './open-readonly.js';
import { SqliteEvents, stored } from './sqlite-events.js';
import { sqliteStats } from './sqlite-stats.js';
import { SqliteSummaries } from './sqlite-summaries.js';
import { Statements } from './statements.js';

/**
 * Opens an obs SQLite database read-only (it never writes or migrates, and works while writers
 * are active). Throws `ReadStoreError` `STORE_UNAVAILABLE` or `UNSUPPORTED_SCHEMA`.
 */
export function openSqliteReadStore(path: string): ReadStore {
  return new SqliteReadStore(openReadonly(parseInput(IdSchema.max(4096), path, 'path')));
}

class SqliteReadStore implements ReadStore {
  readonly kind = 'sqlite' as const;
  #db: Database.Database | undefined;
  readonly #summaries: SqliteSummaries;
  readonly #events: SqliteEvents;
  readonly #statements: Statements;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#statements = new Statements(db);
    this.#summaries = new SqliteSummaries(this.#statements);
    this.#events = new SqliteEvents(this.#statements);
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
    return this.#read(() => {
      const { input, truncated } = this.#events.runTree(id, MAX_TRACE_EVENTS, (fn) => this.#read(fn));
      const tree = buildTraceTreeFrom(id, input);
      if (truncated) tree.truncated = true;
      return tree;
    });
  }

  async stats(query: StatsQuery = {}): Promise<Stats> {
    const q = parseInput(StatsQuerySchema, query, 'stats query');
    return this.#read(() => sqliteStats(this.#statements, q));
  }

  tail(options: TailOptions = {}): AsyncIterable<TailedEvent> {
    const o = parseInput(TailOptionsSchema, options, 'tail options');
    const start =
      o.since === undefined
        ? this.#read(() => this.#events.maxId())
        : decodeCursor(o.since, { k: ['t', 'e'], b: 's' }, 'since').i;
    const self = this;
    return {
      async *[Symbol.asyncIterator]() {
        let last = start;
        while (!o.signal?.aborted && self.#db !== undefined) {
          const upTo = self.#read(() => self.#events.maxId());
          if (upTo > last) {
            const rows = self.#read(() => self.#events.committedBetween(o.filter, last, upTo, TAIL_PAGE));
            for (const row of rows) {
              yield { ...stored(row.json), cursor: encodeCursor({ k: 't', b: 's', i: row.id }) };
              if (o.signal?.aborted) return;
            }
            last = rows.length === TAIL_PAGE ? rows[rows.length - 1]!.id : upTo;
            if (rows.length === TAIL_PAGE) {
              // catching up from an old cursor: let timers and I/O run between pages
              await yieldToLoop();
              continue;
            }
          }
          await sleep(o.intervalMs, o.signal);
        }
      },
    };
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
    this.#db?.close();
    this.#db = undefined;
  }

  #read<T>(fn: () => T): T {
    if (this.#db === undefined) throw new ReadStoreError('STORE_UNAVAILABLE', 'the read store is closed');
    try {
      return fn();
    } catch (error) {
      if (error instanceof ReadStoreError) throw error;
      throw new ReadStoreError(
        'STORE_UNAVAILABLE',
        `reading the SQLite store failed: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
  }
}
