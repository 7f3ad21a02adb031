/** One step of the PostgreSQL schema: `up` takes a schema at `version - 1` to `version`. */
export interface PostgresMigration {
  readonly version: number;
  readonly description: string;
  /** SQL run inside the migration transaction (several statements, no parameters). */
  readonly up: string;
}

const COUNTERS = `
  first_ts bigint,
  last_ts bigint,
  event_count bigint NOT NULL DEFAULT 0,
  error_count bigint NOT NULL DEFAULT 0,
  llm_call_count bigint NOT NULL DEFAULT 0,
  prompt_tokens double precision NOT NULL DEFAULT 0,
  completion_tokens double precision NOT NULL DEFAULT 0,
  total_tokens double precision NOT NULL DEFAULT 0,
  cost_usd double precision NOT NULL DEFAULT 0`;

/** Version 1: partitioned events, run and session summaries, stats rollups (see `postgres-tables.ts`). */
const V1 = `
CREATE SEQUENCE event_seq;
CREATE TABLE events (
  event_id uuid NOT NULL,
  id bigint NOT NULL DEFAULT nextval('event_seq'),
  xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
  ts bigint NOT NULL,
  event_type text NOT NULL,
  source text NOT NULL,
  run_id text NOT NULL,
  session_id text,
  parent_event_id text,
  audit_level text NOT NULL,
  status text,
  duration_ms double precision,
  json text NOT NULL,
  PRIMARY KEY (event_id)
) PARTITION BY RANGE (event_id);
CREATE INDEX events_run ON events (run_id, ts, id);
CREATE INDEX events_session ON events (session_id, ts, id) WHERE session_id IS NOT NULL;
CREATE INDEX events_type ON events (event_type, ts, id);
CREATE INDEX events_ts ON events (ts, id);
CREATE INDEX events_parent ON events (parent_event_id) WHERE parent_event_id IS NOT NULL;
CREATE INDEX events_tail ON events (xid, id);
CREATE TABLE runs (
  run_key bigserial NOT NULL UNIQUE,
  run_id text PRIMARY KEY,
  source text,
  session_id text,${COUNTERS},
  started_ts bigint,
  ended_ts bigint,
  status text NOT NULL DEFAULT 'running',
  reported_duration_ms double precision,
  duration_ms double precision GENERATED ALWAYS AS (
    COALESCE(reported_duration_ms, (ended_ts - COALESCE(started_ts, first_ts))::double precision)
  ) STORED
);
CREATE INDEX runs_first_ts ON runs (first_ts, run_key);
CREATE INDEX runs_session ON runs (session_id, first_ts) WHERE session_id IS NOT NULL;
CREATE TABLE sessions (
  session_key bigserial NOT NULL UNIQUE,
  session_id text PRIMARY KEY,${COUNTERS},
  max_turn_number bigint,
  duration_ms double precision GENERATED ALWAYS AS ((last_ts - first_ts)::double precision) STORED,
  status text GENERATED ALWAYS AS (CASE WHEN error_count > 0 THEN 'error' ELSE 'ok' END) STORED
);
CREATE INDEX sessions_first_ts ON sessions (first_ts, session_key);
CREATE TABLE stats_rollups (
  bucket_ms integer NOT NULL,
  bucket_ts bigint NOT NULL,
  dims text NOT NULL,
  source text NOT NULL,
  event_type text NOT NULL,
  operation text NOT NULL,
  status text,
  model text,
  layer text,
  component text,
  event_count bigint NOT NULL,
  error_count bigint NOT NULL,
  prompt_tokens double precision NOT NULL,
  completion_tokens double precision NOT NULL,
  total_tokens double precision NOT NULL,
  cost_usd double precision NOT NULL,
  first_ts bigint NOT NULL,
  last_ts bigint NOT NULL,
  duration_max double precision,
  latency bytea NOT NULL,
  PRIMARY KEY (bucket_ms, bucket_ts, dims)
);
`;

/**
 * Every schema step in order; a fresh schema runs all of them. Append a step to change the
 * schema, never edit a shipped one.
 */
export const POSTGRES_MIGRATIONS: readonly PostgresMigration[] = [
  { version: 1, description: 'partitioned events, run and session summaries, stats rollups', up: V1 },
];

/** The PostgreSQL schema version this build writes and reads. */
export const POSTGRES_SCHEMA_VERSION = 1;
