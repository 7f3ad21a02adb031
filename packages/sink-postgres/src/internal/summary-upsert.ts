import type { RunSummaryState, SessionSummaryState, SummaryCounters } from '@obs/store-format';

const COUNTER_NAMES = [
  'event_count',
  'error_count',
  'llm_call_count',
  'prompt_tokens',
  'completion_tokens',
  'total_tokens',
  'cost_usd',
] as const satisfies readonly (keyof SummaryCounters)[];

const COUNTER_TYPES = ['int8', 'int8', 'int8', 'float8', 'float8', 'float8', 'float8'];

const add = (table: string) => COUNTER_NAMES.map((c) => `${c} = ${table}.${c} + EXCLUDED.${c}`).join(',\n  ');

/** The value from the delta whose events came first, so a batch committed late does not overwrite the origin. */
const earliest = (t: string, column: string) =>
  `${column} = CASE WHEN ${t}.${column} IS NULL OR (EXCLUDED.${column} IS NOT NULL AND EXCLUDED.first_ts < ${t}.first_ts)
    THEN COALESCE(EXCLUDED.${column}, ${t}.${column}) ELSE ${t}.${column} END`;

/** Kept from the latest `run.finished` (the one with the highest `ended_ts`). */
const latestFinish = (column: string) =>
  `${column} = CASE WHEN EXCLUDED.ended_ts IS NULL OR r.ended_ts > EXCLUDED.ended_ts THEN r.${column} ELSE EXCLUDED.${column} END`;

const RUN_COLUMNS = [
  'run_id',
  'source',
  'session_id',
  'first_ts',
  'last_ts',
  ...COUNTER_NAMES,
  'started_ts',
  'ended_ts',
  'status',
  'reported_duration_ms',
] as const;
const RUN_TYPES = [
  'text',
  'text',
  'text',
  'int8',
  'int8',
  ...COUNTER_TYPES,
  'int8',
  'int8',
  'text',
  'float8',
];

const unnest = (types: readonly string[], from = 1) => types.map((t, i) => `$${i + from}::${t}[]`).join(', ');

/**
 * Merges one delta per run (from `rollup-rules.ts`) into `runs`: counters add, bounds take the
 * min/max, "first seen" fields come from the earliest delta, the finish from the latest. The
 * rows are locked in `run_id` order (`ORDER BY 1`), so writers touching the same runs cannot deadlock,
 * and every merge reads the row as committed by the writer before it: any number of writers, in any order.
 */
const UPSERT_RUNS_SQL = `INSERT INTO runs AS r (${RUN_COLUMNS.join(', ')})
SELECT * FROM unnest(${unnest(RUN_TYPES)}) ORDER BY 1
ON CONFLICT (run_id) DO UPDATE SET
  ${earliest('r', 'source')},
  ${earliest('r', 'session_id')},
  first_ts = LEAST(r.first_ts, EXCLUDED.first_ts),
  last_ts = GREATEST(r.last_ts, EXCLUDED.last_ts),
  ${add('r')},
  started_ts = LEAST(r.started_ts, EXCLUDED.started_ts),
  ${latestFinish('ended_ts')},
  ${latestFinish('status')},
  ${latestFinish('reported_duration_ms')}`;

const SESSION_COLUMNS = ['session_id', 'first_ts', 'last_ts', ...COUNTER_NAMES, 'max_turn_number'] as const;
const SESSION_TYPES = ['text', 'int8', 'int8', ...COUNTER_TYPES, 'int8'];

/** Merges one delta per session into `sessions`, locked in `session_id` order. */
const UPSERT_SESSIONS_SQL = `INSERT INTO sessions AS s (${SESSION_COLUMNS.join(', ')})
SELECT * FROM unnest(${unnest(SESSION_TYPES, RUN_TYPES.length + 1)}) ORDER BY 1
ON CONFLICT (session_id) DO UPDATE SET
  first_ts = LEAST(s.first_ts, EXCLUDED.first_ts),
  last_ts = GREATEST(s.last_ts, EXCLUDED.last_ts),
  ${add('s')},
  max_turn_number = GREATEST(s.max_turn_number, EXCLUDED.max_turn_number)`;

/** How many parameters the run and session upserts take ({@link runParams}, then {@link sessionParams}). */
export const SUMMARY_PARAMS = RUN_TYPES.length + SESSION_TYPES.length;

/**
 * One statement that merges the run deltas, then the session deltas, and runs `main` (whose own
 * parameters start at `SUMMARY_PARAMS + 1`): one round trip instead of three.
 */
export function withSummaryUpserts(main: string): string {
  return `WITH run_deltas AS (${UPSERT_RUNS_SQL} RETURNING 1),
session_deltas AS (${UPSERT_SESSIONS_SQL} RETURNING 1)
${main}`;
}

/** A run's delta and its id. */
export type RunDelta = RunSummaryState & { run_id: string };
/** A session's delta and its id. */
export type SessionDelta = SessionSummaryState & { session_id: string };

/** The parameter arrays of {@link UPSERT_RUNS_SQL}: one array per column, one entry per run. */
export function runParams(deltas: readonly RunDelta[]): unknown[][] {
  return RUN_COLUMNS.map((c) => deltas.map((d) => d[c]));
}

/** The parameter arrays of {@link UPSERT_SESSIONS_SQL}. */
export function sessionParams(deltas: readonly SessionDelta[]): unknown[][] {
  return SESSION_COLUMNS.map((c) => deltas.map((d) => d[c]));
}
