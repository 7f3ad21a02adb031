/**
 * Shapes of the JSON API that are the admin's own (everything else is a read-store type sent as
 * is). Pure types: the browser UI imports them too.
 */
import type { StoredEvent } from '@obs/read-store';

/** An envelope as the read store returns it. */
export type EventEnvelope = StoredEvent['envelope'];

/** One row of a run's trace, in tree pre-order (the UI's view of row `i` of {@link TraceColumns}). */
export interface TraceRow {
  event_id: string;
  /** Index of the parent row, or -1 for a root. */
  parent: number;
  depth: number;
  /** Number of direct children (rows that follow, one level deeper). */
  children: number;
  name: string;
  event_type: string;
  status: 'ok' | 'error' | null;
  /** Milliseconds from the run's first event to this event's timestamp. */
  offset_ms: number;
  /**
   * Where the event's bar starts in the waterfall (ms from the run's first event). A `span` is
   * stamped when its work began; any other event is stamped when emitted, after its work, so its
   * bar ends at its timestamp.
   */
  start_ms: number;
  duration_ms: number | null;
  orphan: boolean;
  /** A short hint: the model of an LLM call, the tool of a tool call, a log message… */
  detail: string | null;
}

/**
 * A run's trace rows as parallel columns: row `i` is entry `i` of every column. Arrays of plain
 * values cost a fraction of an array of objects to encode, send and parse (a 50k-event run).
 */
export interface TraceColumns {
  event_id: string[];
  parent: number[];
  depth: number[];
  children: number[];
  name: string[];
  event_type: string[];
  status: ('ok' | 'error' | null)[];
  offset_ms: number[];
  start_ms: number[];
  duration_ms: (number | null)[];
  detail: (string | null)[];
  /** Indexes of the rows whose parent is not in the run. */
  orphans: number[];
}

/** `GET /api/runs/:id/tree`: the run's trace tree flattened to pre-order rows, column by column. */
export interface TraceRows {
  run_id: string;
  event_count: number;
  orphan_count: number;
  cycle_count: number;
  started_at: string | null;
  duration_ms: number;
  /** True when the run has more events than a tree holds; the first ones are shown. */
  truncated: boolean;
  columns: TraceColumns;
}

/** `GET /api/events/:id`: the event, its canonical JSON and its direct children. */
export interface EventDetail {
  event: EventEnvelope;
  json: string;
  children: EventEnvelope[];
  /** True when there are more children than listed. */
  more_children: boolean;
}

/** `GET /api/info`. */
export interface StoreInfo {
  kind: 'sqlite' | 'jsonl' | 'postgres';
  auth: boolean;
}

/** Messages the server sends on `/api/live`. */
export type LiveMessage =
  | { kind: 'ready' }
  | { kind: 'events'; items: { cursor: string; event: EventEnvelope }[] }
  | { kind: 'dropped'; count: number }
  | { kind: 'error'; message: string };

/** One reason a request was refused: `path` says where (a query parameter like `limit`, an item like `type.2`). */
export interface ApiErrorIssue {
  path: string;
  message: string;
}

/**
 * The error body of every 4xx/5xx answer: the same shape as the collector's (`issues` is always a
 * list, empty when no one input was at fault; `details`, extra facts about the failure, is never
 * sent by the dashboard).
 */
export interface ApiErrorBody {
  error: {
    code: string;
    message: string;
    issues: ApiErrorIssue[];
    details?: Record<string, unknown>;
  };
}
