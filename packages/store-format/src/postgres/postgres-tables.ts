import type { Envelope } from '@obs/core';

/**
 * The obs PostgreSQL schema, version 1 (in the `obs_schema_version` table of the schema obs is
 * given, `obs` by default). Written by `@obs/sink-postgres`, read by `@obs/read-store`. Times are
 * epoch milliseconds (`ts`, `Date.parse(timestamp)`); the envelope's ISO text is in `json`.
 *
 * Tables:
 * - `events`: one row per event, range-partitioned by `event_id`. Event ids are UUIDv7, whose first
 *   48 bits are the millisecond they were made, so a range of ids is a range of time: one partition
 *   per UTC day ({@link postgresPartitionFor}), created ahead by the writers, and retention drops whole
 *   partitions. Because the partition key is `event_id`, its primary key is global: a re-sent event
 *   is a no-op (`ON CONFLICT (event_id) DO NOTHING`) in whatever partition. `id` (a sequence) breaks
 *   ties of `ts` in keyset pages; `xid` is the writing transaction's id, the order of the live tail
 *   (a tail reads only below the oldest running transaction, so no commit is ever skipped).
 *   `json` is the canonical JSON text exactly as core serialized it, byte-identical to the JSONL line.
 * - `runs`, `sessions`: summaries keyed by `run_id` / `session_id`, maintained in the transaction
 *   that writes their events by the same rules as SQLite (`rollup-rules.ts`): counters are added as
 *   deltas (`INSERT … ON CONFLICT DO UPDATE`), time bounds and "first seen" fields merge
 *   order-independently, so any number of writers may commit in any order. `run_key` /
 *   `session_key` (sequences) break ties in the lists.
 * - `stats_rollups`: the stats rollups (`stats-rollup.ts` rules), kept in the same transaction, at
 *   every width of `ROLLUP_TIERS_MS` (`bucket_ms`): one row per bucket and dimension set (`dims` is
 *   `rollupDimensionsKey`, the dimensions are columns too), counters added, `latency` the encoded
 *   `LatencySketch` (merged by the writer under the row's lock: `SELECT … FOR UPDATE`).
 *
 * Read paths and their indexes: one event `events_pkey`; a run `events_run (run_id, ts, id)`; a
 * session `events_session`; by type `events_type`; time and latest `events_ts (ts, id)`; children
 * `events_parent`; live tail `events_tail (xid, id)`; runs and sessions lists `runs_first_ts`,
 * `sessions_first_ts`; runs of a session `runs_session`. Text search scans.
 */
export const POSTGRES_TABLES = {
  events: 'events',
  runs: 'runs',
  sessions: 'sessions',
  statsRollups: 'stats_rollups',
  schemaVersion: 'obs_schema_version',
} as const;

/** Columns a writer sets in `events`, in `COPY` order (`id` and `xid` come from defaults). */
export const POSTGRES_EVENT_COLUMNS = [
  'event_id',
  'ts',
  'event_type',
  'source',
  'run_id',
  'session_id',
  'parent_event_id',
  'audit_level',
  'status',
  'duration_ms',
  'json',
] as const;

/** An event's values in {@link POSTGRES_EVENT_COLUMNS} order: `ts` is its time in ms, `json` its canonical line. */
export function postgresEventValues(e: Envelope, ts: number, json: string): (string | number | null)[] {
  return [
    e.event_id,
    ts,
    e.event_type,
    e.source,
    e.run_id,
    e.session_id,
    e.parent_event_id,
    e.audit_level,
    e.status,
    e.duration_ms,
    json,
  ];
}
