import { rebuildSqliteRollups, type SqliteRollupDatabase, STATS_ROLLUP_DDL } from './sqlite-rollups.js';

/** One step of the SQLite schema: `up` takes a database at `version - 1` to `version`. */
export interface SqliteMigration {
  /** The `PRAGMA user_version` after this step. */
  readonly version: number;
  readonly description: string;
  /** SQL run inside the migration transaction (several statements). */
  readonly up: string;
  /** Work done in JS after `up`, in the same transaction (e.g. folding stored events with the rules). */
  readonly build?: (db: SqliteRollupDatabase) => void;
}

/**
 * Version 1, the first layout: one `events` table keyed by the text `event_id`, the envelope's
 * text columns, the canonical JSON, one index by run. No summaries.
 */
const V1 = `
CREATE TABLE events (
  event_id TEXT PRIMARY KEY,
  event_type TEXT NOT NULL,
  timestamp TEXT NOT NULL,
  seq INTEGER NOT NULL,
  source TEXT NOT NULL,
  run_id TEXT NOT NULL,
  session_id TEXT,
  parent_event_id TEXT,
  status TEXT,
  json TEXT NOT NULL
);
CREATE INDEX events_run_id ON events(run_id);
`;

const ts = (column: string) => `CAST(ROUND(unixepoch(${column}, 'subsec') * 1000) AS INTEGER)`;

const SUMMARY_COLUMNS = `
  first_ts INTEGER,
  last_ts INTEGER,
  event_count INTEGER NOT NULL DEFAULT 0,
  error_count INTEGER NOT NULL DEFAULT 0,
  llm_call_count INTEGER NOT NULL DEFAULT 0,
  prompt_tokens INTEGER NOT NULL DEFAULT 0,
  completion_tokens INTEGER NOT NULL DEFAULT 0,
  total_tokens INTEGER NOT NULL DEFAULT 0,
  cost_usd REAL NOT NULL DEFAULT 0`;

/** Version 2 tables and indexes, created empty (see `sqlite-tables.ts` for what each holds). */
const V2_TABLES = `
CREATE TABLE event_types (
  type_key INTEGER PRIMARY KEY,
  event_type TEXT NOT NULL UNIQUE
);
CREATE TABLE sources (
  source_key INTEGER PRIMARY KEY,
  source TEXT NOT NULL UNIQUE
);
CREATE TABLE sessions (
  session_key INTEGER PRIMARY KEY,
  session_id TEXT NOT NULL UNIQUE,${SUMMARY_COLUMNS},
  max_turn_number INTEGER,
  duration_ms INTEGER GENERATED ALWAYS AS (last_ts - first_ts) VIRTUAL,
  status TEXT GENERATED ALWAYS AS (CASE WHEN error_count > 0 THEN 'error' ELSE 'ok' END) VIRTUAL
);
CREATE INDEX sessions_first_ts ON sessions(first_ts);
CREATE INDEX sessions_last_ts ON sessions(last_ts);
CREATE TABLE runs (
  run_key INTEGER PRIMARY KEY,
  run_id TEXT NOT NULL UNIQUE,
  source TEXT,
  session_id TEXT,
  session_key INTEGER,${SUMMARY_COLUMNS},
  started_ts INTEGER,
  ended_ts INTEGER,
  status TEXT NOT NULL DEFAULT 'running',
  reported_duration_ms REAL,
  duration_ms REAL GENERATED ALWAYS AS (
    COALESCE(reported_duration_ms, ended_ts - COALESCE(started_ts, first_ts))
  ) VIRTUAL
);
CREATE INDEX runs_first_ts ON runs(first_ts);
CREATE INDEX runs_status_first_ts ON runs(status, first_ts);
CREATE INDEX runs_session ON runs(session_key, first_ts) WHERE session_key IS NOT NULL;
CREATE TABLE events (
  id INTEGER PRIMARY KEY,
  event_id TEXT NOT NULL,
  schema_version INTEGER NOT NULL,
  event_type TEXT NOT NULL,
  type_key INTEGER NOT NULL,
  timestamp TEXT NOT NULL,
  ts INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  source TEXT NOT NULL,
  source_key INTEGER NOT NULL,
  run_id TEXT NOT NULL,
  run_key INTEGER NOT NULL,
  request_id TEXT,
  cycle INTEGER,
  session_id TEXT,
  session_key INTEGER,
  turn_number INTEGER,
  parent_event_id TEXT,
  audit_level TEXT NOT NULL,
  status TEXT,
  duration_ms REAL,
  json TEXT NOT NULL,
  payload TEXT GENERATED ALWAYS AS (json_extract(json, '$.payload')) VIRTUAL
);
CREATE UNIQUE INDEX events_event_id ON events(event_id);
CREATE INDEX events_run ON events(run_key, ts);
CREATE INDEX events_session ON events(session_key, ts) WHERE session_key IS NOT NULL;
CREATE INDEX events_type ON events(type_key, ts);
CREATE INDEX events_ts ON events(ts);
CREATE INDEX events_parent ON events(parent_event_id) WHERE parent_event_id IS NOT NULL;
CREATE INDEX events_source_status ON events(source_key, status, ts);
CREATE INDEX events_errors ON events(ts) WHERE status = 'error';
`;

/** SQL aggregate of the summary columns over `events e`, for rebuilding summaries from events. */
const SUMMARY_AGGREGATES = `
  MIN(e.ts) AS first_ts,
  MAX(e.ts) AS last_ts,
  COUNT(*) AS event_count,
  SUM(CASE WHEN e.status = 'error' OR e.event_type = 'error' THEN 1 ELSE 0 END) AS error_count,
  SUM(CASE WHEN e.event_type = 'llm.call' THEN 1 ELSE 0 END) AS llm_call_count,
  SUM(CASE WHEN e.event_type = 'llm.call' THEN COALESCE(json_extract(e.json, '$.payload.prompt_tokens'), 0) ELSE 0 END) AS prompt_tokens,
  SUM(CASE WHEN e.event_type = 'llm.call' THEN COALESCE(json_extract(e.json, '$.payload.completion_tokens'), 0) ELSE 0 END) AS completion_tokens,
  SUM(CASE WHEN e.event_type = 'llm.call' THEN COALESCE(json_extract(e.json, '$.payload.total_tokens'),
    COALESCE(json_extract(e.json, '$.payload.prompt_tokens'), 0) + COALESCE(json_extract(e.json, '$.payload.completion_tokens'), 0)) ELSE 0 END) AS total_tokens,
  TOTAL(CASE WHEN e.event_type = 'llm.call' THEN json_extract(e.json, '$.payload.cost_usd') END) AS cost_usd`;

const SUMMARY_SET = `first_ts = a.first_ts, last_ts = a.last_ts, event_count = a.event_count,
  error_count = a.error_count, llm_call_count = a.llm_call_count, prompt_tokens = a.prompt_tokens,
  completion_tokens = a.completion_tokens, total_tokens = a.total_tokens, cost_usd = a.cost_usd`;

/** Version 1 → 2: integer surrogate keys, every envelope field as a column, run/session summaries. */
const V2 = `
ALTER TABLE events RENAME TO events_v1;
DROP INDEX events_run_id;
${V2_TABLES}
INSERT INTO event_types (event_type) SELECT DISTINCT event_type FROM events_v1 ORDER BY 1;
INSERT INTO sources (source) SELECT DISTINCT source FROM events_v1 ORDER BY 1;
INSERT INTO sessions (session_id) SELECT DISTINCT session_id FROM events_v1 WHERE session_id IS NOT NULL ORDER BY 1;
INSERT INTO runs (run_id) SELECT run_id FROM events_v1 GROUP BY run_id ORDER BY MIN(timestamp);
INSERT INTO events (event_id, schema_version, event_type, type_key, timestamp, ts, seq, source, source_key,
  run_id, run_key, request_id, cycle, session_id, session_key, turn_number, parent_event_id, audit_level,
  status, duration_ms, json)
SELECT v.event_id, COALESCE(json_extract(v.json, '$.schema_version'), 1), v.event_type, t.type_key, v.timestamp,
  ${ts('v.timestamp')}, v.seq, v.source, s.source_key, v.run_id, r.run_key,
  json_extract(v.json, '$.request_id'), json_extract(v.json, '$.cycle'), v.session_id, se.session_key,
  json_extract(v.json, '$.turn_number'), v.parent_event_id,
  COALESCE(json_extract(v.json, '$.audit_level'), 'turn'), v.status, json_extract(v.json, '$.duration_ms'), v.json
FROM events_v1 v
JOIN event_types t ON t.event_type = v.event_type
JOIN sources s ON s.source = v.source
JOIN runs r ON r.run_id = v.run_id
LEFT JOIN sessions se ON se.session_id = v.session_id
ORDER BY v.timestamp, v.seq, v.event_id;
DROP TABLE events_v1;
UPDATE runs SET ${SUMMARY_SET}
FROM (SELECT e.run_key, ${SUMMARY_AGGREGATES} FROM events e GROUP BY e.run_key) AS a
WHERE runs.run_key = a.run_key;
UPDATE runs SET source = f.source, session_id = f.session_id, session_key = f.session_key
FROM (SELECT run_key, source, session_id, session_key, MIN(id) FROM events GROUP BY run_key) AS f
WHERE runs.run_key = f.run_key;
UPDATE runs SET session_id = s.session_id, session_key = s.session_key
FROM (SELECT run_key, session_id, session_key, MIN(id) FROM events WHERE session_key IS NOT NULL GROUP BY run_key) AS s
WHERE runs.run_key = s.run_key AND runs.session_key IS NULL;
UPDATE runs SET started_ts = a.started_ts
FROM (SELECT run_key, MIN(ts) AS started_ts FROM events WHERE event_type = 'run.started' GROUP BY run_key) AS a
WHERE runs.run_key = a.run_key;
UPDATE runs SET ended_ts = f.ts, reported_duration_ms = f.duration_ms,
  status = COALESCE(json_extract(f.json, '$.payload.outcome'), CASE WHEN f.status = 'error' THEN 'failure' ELSE 'success' END)
FROM (SELECT run_key, ts, duration_ms, status, json, MAX(id) FROM events WHERE event_type = 'run.finished' GROUP BY run_key) AS f
WHERE runs.run_key = f.run_key;
UPDATE sessions SET ${SUMMARY_SET}, max_turn_number = a.max_turn_number
FROM (SELECT e.session_key, ${SUMMARY_AGGREGATES}, MAX(e.turn_number) AS max_turn_number
  FROM events e WHERE e.session_key IS NOT NULL GROUP BY e.session_key) AS a
WHERE sessions.session_key = a.session_key;
`;

/** Columns `event_rows` stores: what the indexes and filters use, and the canonical JSON. */
const EVENT_ROW_DDL = `
CREATE TABLE event_rows (
  id INTEGER PRIMARY KEY,
  event_id TEXT NOT NULL,
  type_key INTEGER NOT NULL,
  ts INTEGER NOT NULL,
  source_key INTEGER NOT NULL,
  run_key INTEGER NOT NULL,
  session_key INTEGER,
  parent_event_id TEXT,
  audit_level TEXT NOT NULL,
  status TEXT,
  duration_ms REAL,
  json TEXT NOT NULL
);
CREATE UNIQUE INDEX events_event_id ON event_rows(event_id);
CREATE INDEX events_run ON event_rows(run_key, ts);
CREATE INDEX events_session ON event_rows(session_key, ts) WHERE session_key IS NOT NULL;
CREATE INDEX events_type ON event_rows(type_key, ts);
CREATE INDEX events_ts ON event_rows(ts);
CREATE INDEX events_parent ON event_rows(parent_event_id) WHERE parent_event_id IS NOT NULL;
CREATE INDEX events_source_status ON event_rows(source_key, status, ts);
CREATE INDEX events_errors ON event_rows(ts) WHERE status = 'error';
`;

/**
 * The `events` view: every envelope field as a column, in the v2 table's column order, so queries
 * written for v2 keep working. Names come from the dictionaries (a join by integer key, which also
 * lets `WHERE run_id = ?` use the indexes); the other fields are read from the canonical JSON.
 */
const EVENTS_VIEW = `
CREATE VIEW events AS
SELECT e.id, e.event_id,
  COALESCE(json_extract(e.json, '$.schema_version'), 1) AS schema_version,
  t.event_type, e.type_key,
  json_extract(e.json, '$.timestamp') AS timestamp, e.ts,
  json_extract(e.json, '$.seq') AS seq,
  s.source, e.source_key,
  r.run_id, e.run_key,
  json_extract(e.json, '$.request_id') AS request_id,
  json_extract(e.json, '$.cycle') AS cycle,
  se.session_id, e.session_key,
  json_extract(e.json, '$.turn_number') AS turn_number,
  e.parent_event_id, e.audit_level, e.status, e.duration_ms, e.json,
  json_extract(e.json, '$.payload') AS payload
FROM event_rows e
JOIN event_types t ON t.type_key = e.type_key
JOIN sources s ON s.source_key = e.source_key
JOIN runs r ON r.run_key = e.run_key
LEFT JOIN sessions se ON se.session_key = e.session_key;
`;

/**
 * Version 2 → 3: events are stored in the narrow `event_rows` table and read in full through the
 * `events` view. The text copies of dictionary names and the fields no index uses are no longer
 * stored twice, and the virtual `payload` column (which SQLite computed on every insert) is gone:
 * together they cost about a third of the insert time.
 */
const V3 = `
ALTER TABLE events RENAME TO events_v2;
DROP INDEX events_event_id;
DROP INDEX events_run;
DROP INDEX events_session;
DROP INDEX events_type;
DROP INDEX events_ts;
DROP INDEX events_parent;
DROP INDEX events_source_status;
DROP INDEX events_errors;
${EVENT_ROW_DDL}
INSERT INTO event_rows (id, event_id, type_key, ts, source_key, run_key, session_key, parent_event_id,
  audit_level, status, duration_ms, json)
SELECT id, event_id, type_key, ts, source_key, run_key, session_key, parent_event_id,
  audit_level, status, duration_ms, json
FROM events_v2 ORDER BY id;
DROP TABLE events_v2;
${EVENTS_VIEW}
`;

/**
 * Version 4 → 5: read paths re-indexed for the rollups. Stats no longer scan events, so the
 * `(source_key, status, ts)` index that served their counts becomes `(source_key, ts)`, which pages a
 * source's events in order (the status filter is checked on the rows); `events_slowest` serves
 * `stats().slowest` (longest first, ties by time) over timed events only.
 */
const V5 = `
DROP INDEX events_source_status;
CREATE INDEX events_source ON event_rows(source_key, ts);
CREATE INDEX events_slowest ON event_rows(duration_ms DESC, ts) WHERE duration_ms IS NOT NULL;
`;

/**
 * Version 5 → 6: `event_rows.operation`, a span's `payload.operation`, filled from the stored JSON,
 * and `events_run` widened to cover what a run's trace tree reads, so the tree is built from the
 * index alone and parses only the events it shows.
 */
const V6 = `
ALTER TABLE event_rows ADD COLUMN operation TEXT;
UPDATE event_rows SET operation = json_extract(json, '$.payload.operation')
WHERE type_key IN (SELECT type_key FROM event_types WHERE event_type = 'span')
  AND json_type(json, '$.payload.operation') = 'text';
DROP INDEX events_run;
CREATE INDEX events_run ON event_rows(run_key, ts, id, event_id, parent_event_id, type_key, duration_ms, operation);
`;

/**
 * Every schema step in order; a fresh database runs all of them. Append a step to change the
 * schema, never edit a shipped one: files in the field are at every version listed here.
 */
export const SQLITE_MIGRATIONS: readonly SqliteMigration[] = [
  { version: 1, description: 'events keyed by event_id, indexed by run', up: V1 },
  {
    version: 2,
    description: 'integer surrogate keys, all envelope columns, read-path indexes, run and session summaries',
    up: V2,
  },
  {
    version: 3,
    description: 'narrow event_rows table, every envelope field through the events view',
    up: V3,
  },
  {
    version: 4,
    description: 'stats rollups per minute, hour and day, built from the stored events',
    up: STATS_ROLLUP_DDL,
    build: rebuildSqliteRollups,
  },
  {
    version: 5,
    description: 'source index without status, slowest-events index over timed events',
    up: V5,
  },
  {
    version: 6,
    description: 'span operation column on event_rows, for trace trees read from columns',
    up: V6,
  },
];
