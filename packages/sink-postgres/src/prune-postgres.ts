import { type Envelope, OBS_ERROR_CODES, ObsError } from '@obs/core';
import {
  applyToRunSummary,
  applyToSessionSummary,
  assertPostgresSchemaCurrent,
  dropPostgresPartitionsBefore,
  emptyRunSummary,
  emptySessionSummary,
  postgresPartitionFor,
  postgresPasswordRedactor,
  ROLLUP_TIERS_MS,
  type RunSummaryState,
  type SessionSummaryState,
} from '@obs/store-format';
import pg from 'pg';
import { writeError } from './internal/classify-error.js';
import { clientConfig } from './internal/connection-config.js';
import { parsePostgresSinkOptions } from './options.js';

/** Options of {@link prunePostgres}. */
export interface PrunePostgresOptions {
  /**
   * Events before the start of this time's UTC day (ISO time or epoch ms) are removed: the cut is on
   * a day boundary, so whole daily partitions go and each rollup bucket is kept or removed whole.
   */
  before: string | number;
  /** Schema obs writes into (default `obs`). */
  schema?: string;
  /** TLS settings as the sink takes them. */
  ssl?: boolean | Record<string, unknown>;
  /** Runs (and sessions) recomputed per transaction (default 200). */
  chunk?: number;
}

/** What a prune did. */
export interface PrunePostgresResult {
  /** The cutoff applied: the start of the UTC day of `before` (epoch ms). */
  before: number;
  /** Daily partitions dropped, oldest first. */
  partitions: string[];
  /** Events with a timestamp before the cut deleted from the partitions that stay (clock skew between id and timestamp). */
  stragglers: number;
  runs: { updated: number; deleted: number };
  sessions: { updated: number; deleted: number };
  /** Rollup rows removed (buckets of every width before the cut). */
  rollups: number;
}

const DAY_MS = ROLLUP_TIERS_MS.at(-1)!;

const TOUCHED_SQL = `SELECT DISTINCT run_id, session_id FROM events WHERE event_id < $1::uuid OR ts < $2`;

const SUMMARY_SET = `first_ts = $2, last_ts = $3, event_count = $4, error_count = $5, llm_call_count = $6,
  prompt_tokens = $7, completion_tokens = $8, total_tokens = $9, cost_usd = $10`;
const counters = (s: RunSummaryState | SessionSummaryState) => [
  s.first_ts,
  s.last_ts,
  s.event_count,
  s.error_count,
  s.llm_call_count,
  s.prompt_tokens,
  s.completion_tokens,
  s.total_tokens,
  s.cost_usd,
];

/**
 * Retention for a PostgreSQL store written by this sink: drops every daily partition of `events`
 * before the cut (instant, the disk comes back at once, no `DELETE` and no vacuum), deletes the few
 * events of the remaining partitions whose timestamp is still before it, recomputes each run and
 * session those events touched from the events that remain (by the rules of `rollup-rules.ts`,
 * deleting the ones left empty), and removes the stats rollups of the dropped days. Live writers
 * keep writing: a recompute holds the rows of its runs and sessions (locked in key order, as the
 * writers lock them), and a writer's delta committed after it is added on top.
 * Throws `ObsError` `VALIDATION` for bad options, the schema error for a schema that is not obs's
 * current one, and a password-free `ObsError` when the database fails.
 */
export async function prunePostgres(
  url: string,
  options: PrunePostgresOptions,
): Promise<PrunePostgresResult> {
  const asked = typeof options.before === 'number' ? options.before : Date.parse(options.before);
  if (!Number.isFinite(asked)) {
    throw new ObsError(
      OBS_ERROR_CODES.VALIDATION,
      `before must be an ISO time or epoch ms, got "${String(options.before)}"`,
    );
  }
  const chunk = options.chunk ?? 200;
  if (!Number.isInteger(chunk) || chunk < 1 || chunk > 10_000) {
    throw new ObsError(
      OBS_ERROR_CODES.VALIDATION,
      `chunk must be a whole number from 1 to 10000, got ${chunk}`,
    );
  }
  const before = Math.floor(asked / DAY_MS) * DAY_MS;
  const settings = parsePostgresSinkOptions({
    url,
    name: 'prune',
    ...(options.schema === undefined ? {} : { schema: options.schema }),
    ...(options.ssl === undefined ? {} : { ssl: options.ssl }),
  });
  const client = new pg.Client(
    clientConfig({
      url: settings.url,
      schema: settings.schema,
      ssl: settings.ssl,
      connectTimeoutMs: settings.connectTimeoutMs,
      applicationName: 'obs-prune',
    }),
  );
  client.on('error', () => {});
  const result: PrunePostgresResult = {
    before,
    partitions: [],
    stragglers: 0,
    runs: { updated: 0, deleted: 0 },
    sessions: { updated: 0, deleted: 0 },
    rollups: 0,
  };
  try {
    await client.connect();
    await assertPostgresSchemaCurrent(client, settings.schema);
    const cutId = postgresPartitionFor(before).from;
    const touched = await client.query<{ run_id: string; session_id: string | null }>(TOUCHED_SQL, [
      cutId,
      before,
    ]);
    const runs = [...new Set(touched.rows.map((r) => r.run_id))].sort();
    const sessions = [
      ...new Set(touched.rows.map((r) => r.session_id).filter((s): s is string => s !== null)),
    ].sort();
    result.partitions = await dropPostgresPartitionsBefore(client, before);
    result.stragglers = (await client.query('DELETE FROM events WHERE ts < $1', [before])).rowCount ?? 0;
    for (let i = 0; i < runs.length; i += chunk) await rebuildRuns(client, runs.slice(i, i + chunk), result);
    for (let i = 0; i < sessions.length; i += chunk) {
      await rebuildSessions(client, sessions.slice(i, i + chunk), result);
    }
    result.rollups =
      (await client.query('DELETE FROM stats_rollups WHERE bucket_ts < $1', [before])).rowCount ?? 0;
    return result;
  } catch (error) {
    if (error instanceof ObsError) throw error;
    throw writeError('prune of the PostgreSQL store failed', error, postgresPasswordRedactor(settings.url));
  } finally {
    await client.end().catch(() => {});
  }
}

/** Rows of `events` of the given runs or sessions, in `ts, id` order. */
async function eventsOf(client: pg.Client, column: 'run_id' | 'session_id', ids: string[]) {
  const { rows } = await client.query<{ key: string; json: string; ts: number }>(
    `SELECT ${column} AS key, json, ts FROM events WHERE ${column} = ANY($1::text[]) ORDER BY ts, id`,
    [ids],
  );
  return rows;
}

/** In one transaction: locks the runs (in `run_id` order), folds their remaining events, writes or deletes each. */
async function rebuildRuns(client: pg.Client, ids: string[], result: PrunePostgresResult): Promise<void> {
  await inTransaction(client, async () => {
    await client.query('SELECT 1 FROM runs WHERE run_id = ANY($1::text[]) ORDER BY run_id FOR UPDATE', [ids]);
    const states = new Map<string, RunSummaryState>();
    for (const { key, json, ts } of await eventsOf(client, 'run_id', ids)) {
      const e = JSON.parse(json) as Envelope;
      let state = states.get(key);
      if (state === undefined) {
        state = emptyRunSummary(e, ts);
        states.set(key, state);
      }
      applyToRunSummary(state, e, ts);
    }
    const gone = ids.filter((id) => !states.has(id));
    if (gone.length > 0) {
      result.runs.deleted +=
        (await client.query('DELETE FROM runs WHERE run_id = ANY($1::text[])', [gone])).rowCount ?? 0;
    }
    for (const [id, s] of states) {
      await client.query(
        `UPDATE runs SET ${SUMMARY_SET}, source = $11, session_id = $12, started_ts = $13, ended_ts = $14,
           status = $15, reported_duration_ms = $16 WHERE run_id = $1`,
        [
          id,
          ...counters(s),
          s.source,
          s.session_id,
          s.started_ts,
          s.ended_ts,
          s.status,
          s.reported_duration_ms,
        ],
      );
      result.runs.updated++;
    }
  });
}

/** Like {@link rebuildRuns}, for sessions. */
async function rebuildSessions(client: pg.Client, ids: string[], result: PrunePostgresResult): Promise<void> {
  await inTransaction(client, async () => {
    await client.query(
      'SELECT 1 FROM sessions WHERE session_id = ANY($1::text[]) ORDER BY session_id FOR UPDATE',
      [ids],
    );
    const states = new Map<string, SessionSummaryState>();
    for (const { key, json, ts } of await eventsOf(client, 'session_id', ids)) {
      let state = states.get(key);
      if (state === undefined) {
        state = emptySessionSummary(ts);
        states.set(key, state);
      }
      applyToSessionSummary(state, JSON.parse(json) as Envelope, ts);
    }
    const gone = ids.filter((id) => !states.has(id));
    if (gone.length > 0) {
      result.sessions.deleted +=
        (await client.query('DELETE FROM sessions WHERE session_id = ANY($1::text[])', [gone])).rowCount ?? 0;
    }
    for (const [id, s] of states) {
      await client.query(`UPDATE sessions SET ${SUMMARY_SET}, max_turn_number = $11 WHERE session_id = $1`, [
        id,
        ...counters(s),
        s.max_turn_number,
      ]);
      result.sessions.updated++;
    }
  });
}

async function inTransaction(client: pg.Client, fn: () => Promise<void>): Promise<void> {
  await client.query('BEGIN');
  try {
    await fn();
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}
