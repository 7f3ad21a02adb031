import { exportPages } from '../export-format.js';
import {
  ChildrenLimitSchema,
  EventQuerySchema,
  ExportFormatSchema,
  ExportQuerySchema,
  IdSchema,
  type ParsedEventQuery,
  type ParsedRunQuery,
  type ParsedSessionQuery,
  type ParsedStatsQuery,
  type ParsedTailOptions,
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
import { buildTraceTree, MAX_TRACE_EVENTS } from '../trace-tree.js';

/** What a database backend answers once every argument is parsed: the part SQLite and PostgreSQL do differently. */
export interface ReadBackend {
  readonly kind: ReadStore['kind'];
  listRuns(query: ParsedRunQuery): Promise<Page<RunSummary>>;
  getRun(runId: string): Promise<RunSummary>;
  listSessions(query: ParsedSessionQuery): Promise<Page<SessionSummary>>;
  getSession(sessionId: string): Promise<SessionSummary & { runs: RunSummary[] }>;
  listEvents(query: ParsedEventQuery): Promise<Page<StoredEvent>>;
  getEvent(eventId: string): Promise<StoredEvent>;
  getChildren(eventId: string, limit: number): Promise<StoredEvent[]>;
  /** The run's envelopes in trace order, at most `limit`. */
  /** A run's events in time order, at most `limit`, for a tree built here (a backend without `traceTree`). */
  runEvents?(runId: string, limit: number): Promise<StoredEvent['envelope'][]>;
  /** The tree built by the backend itself (SQLite: from indexed columns). */
  traceTree?(runId: string): Promise<TraceTree>;
  stats(query: ParsedStatsQuery): Promise<Stats>;
  tail(options: ParsedTailOptions): AsyncIterable<TailedEvent>;
  close(): Promise<void>;
}

/**
 * A `ReadStore` over a {@link ReadBackend}: every argument parsed by the shared query schemas (a bad
 * one is `ReadStoreError` `INVALID_FILTER` before the database is asked), trace trees cut at
 * `MAX_TRACE_EVENTS`, exports paged through `listEvents`.
 */
export class ValidatedReadStore implements ReadStore {
  readonly kind: ReadStore['kind'];
  readonly #backend: ReadBackend;

  constructor(backend: ReadBackend) {
    this.kind = backend.kind;
    this.#backend = backend;
  }

  async listRuns(query: RunQuery = {}): Promise<Page<RunSummary>> {
    return this.#backend.listRuns(parseInput(RunQuerySchema, query, 'run query'));
  }

  async getRun(runId: string): Promise<RunSummary> {
    return this.#backend.getRun(parseInput(IdSchema, runId, 'run_id'));
  }

  async listSessions(query: SessionQuery = {}): Promise<Page<SessionSummary>> {
    return this.#backend.listSessions(parseInput(SessionQuerySchema, query, 'session query'));
  }

  async getSession(sessionId: string): Promise<SessionSummary & { runs: RunSummary[] }> {
    return this.#backend.getSession(parseInput(IdSchema, sessionId, 'session_id'));
  }

  async listEvents(query: EventQuery = {}): Promise<Page<StoredEvent>> {
    return this.#backend.listEvents(parseInput(EventQuerySchema, query, 'event query'));
  }

  async getEvent(eventId: string): Promise<StoredEvent> {
    return this.#backend.getEvent(parseInput(IdSchema, eventId, 'event_id'));
  }

  async getChildren(eventId: string, limit?: number): Promise<StoredEvent[]> {
    const id = parseInput(IdSchema, eventId, 'event_id');
    return this.#backend.getChildren(id, parseInput(ChildrenLimitSchema, limit, 'limit'));
  }

  async getTraceTree(runId: string): Promise<TraceTree> {
    const id = parseInput(IdSchema, runId, 'run_id');
    if (this.#backend.traceTree) return this.#backend.traceTree(id);
    const events = await this.#backend.runEvents!(id, MAX_TRACE_EVENTS + 1);
    const truncated = events.length > MAX_TRACE_EVENTS;
    if (truncated) events.length = MAX_TRACE_EVENTS;
    const tree = buildTraceTree(id, events);
    if (truncated) tree.truncated = true;
    return tree;
  }

  async stats(query: StatsQuery = {}): Promise<Stats> {
    return this.#backend.stats(parseInput(StatsQuerySchema, query, 'stats query'));
  }

  tail(options: TailOptions = {}): AsyncIterable<TailedEvent> {
    return this.#backend.tail(parseInput(TailOptionsSchema, options, 'tail options'));
  }

  exportEvents(query: Omit<EventQuery, 'cursor' | 'limit'>, format: ExportFormat): AsyncIterable<string> {
    parseInput(ExportQuerySchema, query, 'export query');
    const f = parseInput(ExportFormatSchema, format, 'format');
    return exportPages(
      (cursor) => this.listEvents({ ...query, limit: 1000, ...(cursor ? { cursor } : {}) }),
      f,
    );
  }

  close(): Promise<void> {
    return this.#backend.close();
  }
}
