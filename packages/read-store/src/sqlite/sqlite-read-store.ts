import type Database from 'better-sqlite3';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { sleep } from '../internal/sleep.js';
import { type ReadBackend, ValidatedReadStore } from '../internal/validated-read-store.js';
import { TAIL_PAGE, yieldToLoop } from '../internal/yield-to-loop.js';
import {
  IdSchema,
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
  return new ValidatedReadStore(
    new SqliteBackend(openReadonly(parseInput(IdSchema.max(4096), path, 'path'))),
  );
}

/** The SQLite answers behind `ValidatedReadStore`, each read on the one read-only connection. */
class SqliteBackend implements ReadBackend {
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

  async listRuns(query: ParsedRunQuery): Promise<Page<RunSummary>> {
    return this.#read(() => this.#summaries.listRuns(query));
  }

  async getRun(runId: string): Promise<RunSummary> {
    return this.#read(() => this.#summaries.getRun(runId));
  }

  async listSessions(query: ParsedSessionQuery): Promise<Page<SessionSummary>> {
    return this.#read(() => this.#summaries.listSessions(query));
  }

  async getSession(sessionId: string): Promise<SessionSummary & { runs: RunSummary[] }> {
    return this.#read(() => this.#summaries.getSession(sessionId));
  }

  async listEvents(query: ParsedEventQuery): Promise<Page<StoredEvent>> {
    return this.#read(() => this.#events.list(query));
  }

  async getEvent(eventId: string): Promise<StoredEvent> {
    return this.#read(() => this.#events.get(eventId));
  }

  async getChildren(eventId: string, limit: number): Promise<StoredEvent[]> {
    return this.#read(() => this.#events.children(eventId, limit));
  }

  /** The tree from indexed columns, each envelope read only when a node's event is asked for. */
  async traceTree(runId: string): Promise<TraceTree> {
    return this.#read(() => {
      const { input, truncated } = this.#events.runTree(runId, MAX_TRACE_EVENTS, (fn) => this.#read(fn));
      const tree = buildTraceTreeFrom(runId, input);
      if (truncated) tree.truncated = true;
      return tree;
    });
  }

  async stats(query: ParsedStatsQuery): Promise<Stats> {
    return this.#read(() => sqliteStats(this.#statements, query));
  }

  tail(o: ParsedTailOptions): AsyncIterable<TailedEvent> {
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
