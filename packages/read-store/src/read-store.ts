import type { AuditLevel, Envelope, EventStatus } from '@obs/core';

/** Status of a run: `running` until a `run.finished` event says how it ended. */
export type RunStatus = 'running' | 'success' | 'failure' | 'cancelled' | 'timeout';

/** Counters shared by run and session summaries. */
export interface UsageSummary {
  event_count: number;
  error_count: number;
  llm_call_count: number;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  cost_usd: number;
}

/** One agent run, as listed and shown by viewers. */
export interface RunSummary extends UsageSummary {
  run_id: string;
  source: string | null;
  session_id: string | null;
  status: RunStatus;
  /** ISO timestamps of the first and last event. */
  started_at: string | null;
  ended_at: string | null;
  /** From `run.finished`/`run.started`, else null while running. */
  duration_ms: number | null;
}

/** A multi-turn session and its runs. */
export interface SessionSummary extends UsageSummary {
  session_id: string;
  status: 'ok' | 'error';
  started_at: string | null;
  ended_at: string | null;
  duration_ms: number | null;
  run_count: number;
  max_turn_number: number | null;
}

/** A page of results and the cursor of the next page (null at the end). */
export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

/** Filters and paging of `listRuns`. */
export interface RunQuery {
  status?: RunStatus;
  source?: string;
  session_id?: string;
  /** Substring of the run id. */
  search?: string;
  /** ISO 8601 bounds on the run's first event. */
  from?: string;
  to?: string;
  cursor?: string;
  /** Default 50, at most 1000. Newest first. */
  limit?: number;
}

/** Filters and paging of `listSessions`. */
export interface SessionQuery {
  search?: string;
  from?: string;
  to?: string;
  cursor?: string;
  limit?: number;
}

/** Filters and paging of `listEvents`; every given filter must hold. */
export interface EventQuery {
  run_id?: string;
  session_id?: string;
  /** Exact event types (no globs). */
  types?: string[];
  status?: EventStatus;
  source?: string;
  audit_level?: AuditLevel;
  parent_event_id?: string;
  /** ISO 8601 bounds on `timestamp`: `from` inclusive, `to` exclusive. */
  from?: string;
  to?: string;
  /** Case-insensitive substring of the event's JSON text. */
  text?: string;
  /** Opaque keyset cursor from a previous page; stable under concurrent inserts. */
  cursor?: string;
  /** Default 100, at most 1000. */
  limit?: number;
  /** `asc` (default: oldest first, the trail order) or `desc` (newest first, for "last N"). */
  order?: 'asc' | 'desc';
}

/** One stored event: the envelope and its canonical JSON text exactly as stored. */
export interface StoredEvent {
  envelope: Envelope;
  json: string;
}

/** A node of a run's trace tree. */
export interface TraceNode {
  /**
   * The node's envelope, read from the store on first access (64 at a time) and then kept: read
   * what you need before `close()` (afterwards it throws `STORE_UNAVAILABLE`).
   */
  event: Envelope;
  /** Span operation name, else the event type. */
  name: string;
  children: TraceNode[];
  /** True when `parent_event_id` names an event that is not in the run. */
  orphan: boolean;
  /** True when the event lies on a parent cycle (it is then shown as a root). */
  cycle?: boolean;
  /** Milliseconds from the run's first event to this event's start. */
  offset_ms: number;
}

/** The parent/child tree of a run. */
export interface TraceTree {
  run_id: string;
  roots: TraceNode[];
  event_count: number;
  orphan_count: number;
  /** Events whose parent chain loops back on itself; kept as roots and counted. */
  cycle_count: number;
  started_at: string | null;
  duration_ms: number;
  /** True when the run has more events than a tree holds (`MAX_TRACE_EVENTS`); the first ones are shown. */
  truncated?: boolean;
}

/** Dimensions `stats` can break down by. */
export type StatsGroupBy = 'source' | 'event_type' | 'operation' | 'layer' | 'component' | 'model';

/** Filters of `stats`. */
export interface StatsQuery {
  run_id?: string;
  session_id?: string;
  source?: string;
  from?: string;
  to?: string;
  groupBy?: StatsGroupBy;
  /** Rows in `slowest` (default 10, at most 100). */
  slowest?: number;
}

/** Counts and latency of one group. */
export interface GroupStats {
  key: string;
  total: number;
  ok: number;
  errors: number;
  p50_ms: number | null;
  p95_ms: number | null;
  p99_ms: number | null;
}

/** What `stats` returns. */
export interface Stats {
  total: number;
  successes: number;
  failures: number;
  by_source: Record<string, number>;
  by_type: Record<string, number>;
  /** Latency percentiles per operation (span operation, else event type) of events with a duration. */
  latency: GroupStats[];
  /** The slowest timed events. */
  slowest: {
    event_id: string;
    run_id: string;
    name: string;
    duration_ms: number;
    status: EventStatus | null;
    timestamp: string;
  }[];
  tokens: { prompt: number; completion: number; total: number };
  cost_usd: number;
  /** Event counts per time bucket (ISO start of each epoch-aligned bucket, empty ones included), for charts. */
  timeline: { bucket: string; total: number; errors: number }[];
  /** Width of each timeline bucket in milliseconds. */
  timeline_bucket_ms?: number;
  /** Present when `groupBy` was given. */
  groups?: GroupStats[];
  first_timestamp: string | null;
  last_timestamp: string | null;
}

/** Options of `tail`. */
export interface TailOptions {
  filter?: Omit<EventQuery, 'cursor' | 'limit' | 'order'>;
  /** Start after this cursor (from a page or a previous tail); default: only events written from now on. */
  since?: string;
  /** Poll interval in ms (default 25). */
  intervalMs?: number;
  /** Stops the iterator. */
  signal?: AbortSignal;
}

/** An event delivered by `tail`, with the cursor to resume after it. */
export interface TailedEvent extends StoredEvent {
  cursor: string;
}

/** Export formats. */
export type ExportFormat = 'jsonl' | 'csv';

/**
 * The single read contract of obs: every viewer (admin app, CLI, exports) reads through it.
 * Inputs are validated (`ReadStoreError` with code `INVALID_FILTER` says what was wrong).
 */
export interface ReadStore {
  /** `sqlite`, `jsonl` or `postgres`. */
  readonly kind: 'sqlite' | 'jsonl' | 'postgres';
  listRuns(query?: RunQuery): Promise<Page<RunSummary>>;
  /** Throws `ReadStoreError` `NOT_FOUND` for an unknown run. */
  getRun(runId: string): Promise<RunSummary>;
  listSessions(query?: SessionQuery): Promise<Page<SessionSummary>>;
  getSession(sessionId: string): Promise<SessionSummary & { runs: RunSummary[] }>;
  listEvents(query?: EventQuery): Promise<Page<StoredEvent>>;
  getEvent(eventId: string): Promise<StoredEvent>;
  /** Direct children of an event, oldest first (for event detail links). */
  getChildren(eventId: string, limit?: number): Promise<StoredEvent[]>;
  getTraceTree(runId: string): Promise<TraceTree>;
  stats(query?: StatsQuery): Promise<Stats>;
  /** New events as other processes write them, delivered within 100 ms. */
  tail(options?: TailOptions): AsyncIterable<TailedEvent>;
  /** A stream of text chunks: canonical JSON lines, or CSV with a header row. */
  exportEvents(query: Omit<EventQuery, 'cursor' | 'limit'>, format: ExportFormat): AsyncIterable<string>;
  /** JSONL backend: the lines it skipped as unreadable so far (torn, not JSON, not a valid envelope, too long). */
  skippedLines?(): SkippedLines;
  close(): Promise<void>;
}

/** Lines of a JSONL trail a reader skipped: how many, by reason, and the first one. */
export interface SkippedLines {
  count: number;
  by_reason: Partial<Record<'torn' | 'json' | 'envelope' | 'too_long' | 'io', number>>;
  first: { file: string; line: number; reason: string; detail: string } | null;
}
