import type { ROLLUP_TIERS_MS } from '../stats-rollup.js';

/**
 * The obs SQLite schema, version 6 (`PRAGMA user_version = 6`). Written by `@obs/sink-sqlite`,
 * read by `@obs/read-store`. Times are epoch milliseconds (`ts`, `Date.parse(timestamp)`), which
 * every index uses; the envelope's ISO text is in the JSON.
 *
 * Tables:
 * - `event_rows`: one row per event, narrow so inserts stay cheap. `id` is an integer surrogate in
 *   commit order; `event_id` is unique (re-delivery is a no-op). Stored columns are those the
 *   indexes and filters use ({@link EVENT_ROW_COLUMNS}) and `json`, the canonical JSON text exactly
 *   as core serialized it, byte-identical to the JSONL line: serve it as is, never rebuild it.
 *   `type_key`, `source_key`, `run_key`, `session_key` point into `event_types`, `sources`,
 *   `runs`, `sessions`. `operation` is a span's `payload.operation` (null for other events and
 *   spans without a string one), so a trace tree is built from columns without parsing `json`.
 * - `events` (a view): every envelope field as a column ({@link EVENT_COLUMNS}, the v2 table's
 *   columns): names joined from the dictionaries, other fields read from `json`. For people and
 *   ad-hoc queries; `WHERE run_id = ?` and the like still use the indexes through the joins.
 * - `runs`: one row per `run_id`, maintained in the transaction that writes its events.
 *   `first_ts`/`last_ts` span its events; `started_ts` is the `run.started` event's, `ended_ts` the
 *   `run.finished` one's; `status` is `running` until `run.finished`, then its `outcome`
 *   (`success`, `failure`, `cancelled`, `timeout`; without one, `failure` if the event's status is
 *   `error`, else `success`); `duration_ms` (virtual) is `run.finished`'s `duration_ms`, else
 *   `ended_ts - COALESCE(started_ts, first_ts)`, null while running. `source` and `session_id`
 *   are the first seen.
 * - `sessions`: one row per `session_id`, same counters plus `max_turn_number`; `duration_ms` and
 *   `status` (`error` when any event failed) are virtual. Runs of a session: `runs.session_key`.
 * - `event_types`, `sources`: dictionaries of names to integer keys.
 * - `stats_rollups`: the stats rollups (`stats-rollup.ts` rules), kept in the transaction that writes
 *   the events, at three widths `bucket_ms` (minute, hour, day; {@link ROLLUP_TIERS_MS}); primary key
 *   `(bucket_ms, bucket_ts, dim_key)`, so any range of one width is one index range. Measures:
 *   `event_count`, `error_count`, tokens, `cost_usd`, `first_ts`/`last_ts`, `duration_max` and
 *   `latency`, an encoded `LatencySketch` (merged on upsert by the writer's `obs_sketch_merge`).
 * - `stats_rollup_dims`: one row per dimension set (`dims` is `rollupDimensionsKey`): `source_key`,
 *   `type_key`, `operation`, `status`, `model`, `layer`, `component`.
 *
 * Counters in `runs` and `sessions`: `event_count`; `error_count` (events with `status = 'error'`
 * or of type `error`, each counted once); from `llm.call` payloads `llm_call_count`,
 * `prompt_tokens`, `completion_tokens`, `total_tokens` (prompt + completion when absent),
 * `cost_usd`.
 *
 * Order and pagination: events sort by `(ts, id)`; keyset pages use
 * `WHERE (ts, id) > (?, ?) ORDER BY ts, id LIMIT ?` (or `<` with DESC). Every `event_rows` index ends in
 * `ts` and, implicitly, `id`, so the same cursor pages every filtered path below.
 *
 * Read paths and the index on `event_rows` that serves each:
 * - one event by id: `events_event_id (event_id)`
 * - a run's events in order, its trace tree: `events_run (run_key, ts, id, event_id, parent_event_id,
 *   type_key, duration_ms, operation)`, which covers the tree: it is built from the index alone
 *   (`operation` names a span's node) and reads a node's `json` only when its event is read
 * - a session's events: `events_session (session_key, ts)`, partial on `session_key IS NOT NULL`
 * - by type: `events_type (type_key, ts)`
 * - time range, latest events, live tail: `events_ts (ts)`
 * - children of an event: `events_parent (parent_event_id)`, partial on non-null parents
 * - by source (and status, checked on the rows): `events_source (source_key, ts)`
 * - failures across sources: `events_errors (ts)`, partial on `status = 'error'`
 * - slowest events (`stats().slowest`): `events_slowest (duration_ms DESC, ts)`, partial on timed events
 * - stats: `stats_rollups` by its primary key, never the events (one run's or session's stats read
 *   its events through `events_run` / `events_session`)
 * - runs list: `runs_first_ts`, `runs_status_first_ts`; runs of a session: `runs_session`
 * - sessions list: `sessions_first_ts`, `sessions_last_ts`
 * Text search has no index: `json LIKE ?` scans, so combine it with an indexed filter.
 */
export const SQLITE_TABLES = {
  eventRows: 'event_rows',
  events: 'events',
  runs: 'runs',
  sessions: 'sessions',
  eventTypes: 'event_types',
  sources: 'sources',
  statsRollups: 'stats_rollups',
  statsRollupDims: 'stats_rollup_dims',
} as const;

/** Columns of `event_rows` a writer sets, in insert order (`id` excluded). */
export const EVENT_ROW_COLUMNS = [
  'event_id',
  'type_key',
  'ts',
  'source_key',
  'run_key',
  'session_key',
  'parent_event_id',
  'audit_level',
  'status',
  'duration_ms',
  'operation',
  'json',
] as const;

/** Columns of the `events` view after `id`: every envelope field, the dictionary keys, `json` and `payload`. */
export const EVENT_COLUMNS = [
  'event_id',
  'schema_version',
  'event_type',
  'type_key',
  'timestamp',
  'ts',
  'seq',
  'source',
  'source_key',
  'run_id',
  'run_key',
  'request_id',
  'cycle',
  'session_id',
  'session_key',
  'turn_number',
  'parent_event_id',
  'audit_level',
  'status',
  'duration_ms',
  'json',
  'payload',
] as const;

/** Counter columns shared by `runs` and `sessions`. */
export const SUMMARY_COUNTER_COLUMNS = [
  'event_count',
  'error_count',
  'llm_call_count',
  'prompt_tokens',
  'completion_tokens',
  'total_tokens',
  'cost_usd',
] as const;

/** Names of the indexes on `event_rows` (see the read paths above). */
export const EVENT_INDEXES = [
  'events_event_id',
  'events_run',
  'events_session',
  'events_type',
  'events_ts',
  'events_parent',
  'events_source',
  'events_errors',
  'events_slowest',
] as const;
