import type pg from 'pg';
import { decodeCursor, encodeCursor } from '../cursor.js';
import type { ParsedRunQuery, ParsedSessionQuery } from '../query-schemas.js';
import type { Page, RunStatus, RunSummary, SessionSummary, UsageSummary } from '../read-store.js';
import { notFound } from '../read-store-error.js';
import { likeContains, SqlParams, whereSql } from './sql-params.js';

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

type Row = Record<string, unknown>;

function usage(row: Row): UsageSummary {
  return {
    event_count: row['event_count'] as number,
    error_count: row['error_count'] as number,
    llm_call_count: row['llm_call_count'] as number,
    prompt_tokens: row['prompt_tokens'] as number,
    completion_tokens: row['completion_tokens'] as number,
    total_tokens: row['total_tokens'] as number,
    cost_usd: row['cost_usd'] as number,
  };
}

function toRun(row: Row): RunSummary {
  return {
    run_id: row['run_id'] as string,
    source: row['source'] as string | null,
    session_id: row['session_id'] as string | null,
    status: row['status'] as RunStatus,
    started_at: iso(row['first_ts'] as number | null),
    ended_at: iso(row['last_ts'] as number | null),
    duration_ms: row['duration_ms'] as number | null,
    ...usage(row),
  };
}

function toSession(row: Row): SessionSummary {
  return {
    session_id: row['session_id'] as string,
    status: row['status'] as 'ok' | 'error',
    started_at: iso(row['first_ts'] as number | null),
    ended_at: iso(row['last_ts'] as number | null),
    duration_ms: row['duration_ms'] as number | null,
    run_count: row['run_count'] as number,
    max_turn_number: row['max_turn_number'] as number | null,
    ...usage(row),
  };
}

const COUNTERS = `event_count, error_count, llm_call_count, prompt_tokens, completion_tokens, total_tokens, cost_usd`;
const RUN_COLUMNS = `run_key, run_id, source, session_id, status, first_ts, last_ts, duration_ms, ${COUNTERS}`;
const SESSION_COLUMNS = `s.session_key, s.session_id, s.status, s.first_ts, s.last_ts, s.duration_ms, s.max_turn_number,
  ${COUNTERS.split(', ')
    .map((c) => `s.${c}`)
    .join(', ')},
  (SELECT count(*) FROM runs r WHERE r.session_id = s.session_id) AS run_count`;

/** Runs and sessions of a PostgreSQL store, newest first, keyset-paged on `(first_ts, key)`. */
export class PostgresSummaries {
  readonly #db: pg.Pool;

  constructor(db: pg.Pool) {
    this.#db = db;
  }

  async listRuns(query: ParsedRunQuery): Promise<Page<RunSummary>> {
    const p = new SqlParams();
    const conditions = ['first_ts IS NOT NULL'];
    if (query.session_id !== undefined) conditions.push(`session_id = ${p.add(query.session_id)}`);
    if (query.status !== undefined) conditions.push(`status = ${p.add(query.status)}`);
    if (query.source !== undefined) conditions.push(`source = ${p.add(query.source)}`);
    if (query.search !== undefined) {
      conditions.push(`run_id COLLATE "C" ILIKE ${p.add(likeContains(query.search))} ESCAPE '\\'`);
    }
    range(conditions, p, query, 'r', 'run_key');
    const { rows } = await this.#db.query(
      `SELECT ${RUN_COLUMNS} FROM runs ${whereSql(conditions)} ORDER BY first_ts DESC, run_key DESC LIMIT ${p.add(query.limit + 1)}`,
      p.values,
    );
    return page(rows, query.limit, 'r', 'run_key', toRun);
  }

  async getRun(runId: string): Promise<RunSummary> {
    const { rows } = await this.#db.query(`SELECT ${RUN_COLUMNS} FROM runs WHERE run_id = $1`, [runId]);
    const row = rows[0] as Row | undefined;
    if (row === undefined || row['first_ts'] === null) throw notFound('run', runId);
    return toRun(row);
  }

  async listSessions(query: ParsedSessionQuery): Promise<Page<SessionSummary>> {
    const p = new SqlParams();
    const conditions = ['s.first_ts IS NOT NULL'];
    if (query.search !== undefined) {
      conditions.push(`s.session_id COLLATE "C" ILIKE ${p.add(likeContains(query.search))} ESCAPE '\\'`);
    }
    range(conditions, p, query, 's', 's.session_key', 's.first_ts');
    const { rows } = await this.#db.query(
      `SELECT ${SESSION_COLUMNS} FROM sessions s ${whereSql(conditions)}
       ORDER BY s.first_ts DESC, s.session_key DESC LIMIT ${p.add(query.limit + 1)}`,
      p.values,
    );
    return page(rows, query.limit, 's', 'session_key', toSession);
  }

  async getSession(sessionId: string): Promise<SessionSummary & { runs: RunSummary[] }> {
    const { rows } = await this.#db.query(
      `SELECT ${SESSION_COLUMNS} FROM sessions s WHERE s.session_id = $1`,
      [sessionId],
    );
    const row = rows[0] as Row | undefined;
    if (row === undefined || row['first_ts'] === null) throw notFound('session', sessionId);
    const runs = await this.#db.query(
      `SELECT ${RUN_COLUMNS} FROM runs WHERE session_id = $1 ORDER BY first_ts, run_key`,
      [sessionId],
    );
    return { ...toSession(row), runs: runs.rows.map(toRun) };
  }
}

function range(
  conditions: string[],
  p: SqlParams,
  query: { from?: number; to?: number; cursor?: string },
  kind: 'r' | 's',
  key: string,
  ts = 'first_ts',
): void {
  if (query.from !== undefined) conditions.push(`${ts} >= ${p.add(query.from)}::int8`);
  if (query.to !== undefined) conditions.push(`${ts} < ${p.add(query.to)}::int8`);
  if (query.cursor !== undefined) {
    const c = decodeCursor(query.cursor, { k: kind, b: 'p' });
    conditions.push(`(${ts}, ${key}) < (${p.add(c.t)}::int8, ${p.add(c.i)}::int8)`);
  }
}

function page<T>(rows: Row[], limit: number, kind: 'r' | 's', key: string, map: (row: Row) => T): Page<T> {
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  const last = items[items.length - 1];
  return {
    items: items.map(map),
    next_cursor:
      more && last
        ? encodeCursor({ k: kind, b: 'p', t: last['first_ts'] as number, i: last[key] as number })
        : null,
  };
}
