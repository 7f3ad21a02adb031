import { decodeCursor, encodeCursor } from '../cursor.js';
import type { ParsedRunQuery, ParsedSessionQuery } from '../query-schemas.js';
import type { Page, RunStatus, RunSummary, SessionSummary, UsageSummary } from '../read-store.js';
import { notFound } from '../read-store-error.js';
import { whereSql } from './event-where.js';
import { likeContains, type Statements } from './statements.js';

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

const RUN_COLUMNS = `run_key, run_id, source, session_id, status, first_ts, last_ts, duration_ms, event_count,
  error_count, llm_call_count, prompt_tokens, completion_tokens, total_tokens, cost_usd`;
const SESSION_COLUMNS = `s.session_key, s.session_id, s.status, s.first_ts, s.last_ts, s.duration_ms, s.max_turn_number,
  s.event_count, s.error_count, s.llm_call_count, s.prompt_tokens, s.completion_tokens, s.total_tokens, s.cost_usd,
  (SELECT COUNT(*) FROM runs r WHERE r.session_key = s.session_key) AS run_count`;

/** Runs and sessions of a SQLite store, newest first, keyset-paged on `(first_ts, key)`. */
export class SqliteSummaries {
  readonly #statements: Statements;

  constructor(statements: Statements) {
    this.#statements = statements;
  }

  listRuns(query: ParsedRunQuery): Page<RunSummary> {
    const conditions = ['first_ts IS NOT NULL'];
    const params: unknown[] = [];
    if (query.session_id !== undefined) {
      const key = this.#statements.key('sessions', query.session_id);
      if (key === undefined) return { items: [], next_cursor: null };
      conditions.push('session_key = ?');
      params.push(key);
    }
    if (query.status !== undefined) push(conditions, params, 'status = ?', query.status);
    if (query.source !== undefined) push(conditions, params, 'source = ?', query.source);
    if (query.search !== undefined)
      push(conditions, params, "run_id LIKE ? ESCAPE '\\'", likeContains(query.search));
    this.#range(conditions, params, query, 'r', 'run_key');
    const rows = this.#statements
      .get(
        `SELECT ${RUN_COLUMNS} FROM runs ${whereSql(conditions)} ORDER BY first_ts DESC, run_key DESC LIMIT ?`,
      )
      .all(...params, query.limit + 1) as Row[];
    return page(rows, query.limit, 'r', 'run_key', toRun);
  }

  getRun(runId: string): RunSummary {
    const row = this.#statements.get(`SELECT ${RUN_COLUMNS} FROM runs WHERE run_id = ?`).get(runId) as
      | Row
      | undefined;
    if (row === undefined || row['first_ts'] === null) throw notFound('run', runId);
    return toRun(row);
  }

  listSessions(query: ParsedSessionQuery): Page<SessionSummary> {
    const conditions = ['s.first_ts IS NOT NULL'];
    const params: unknown[] = [];
    if (query.search !== undefined) {
      push(conditions, params, "s.session_id LIKE ? ESCAPE '\\'", likeContains(query.search));
    }
    this.#range(conditions, params, query, 's', 's.session_key', 's.first_ts');
    const rows = this.#statements
      .get(
        `SELECT ${SESSION_COLUMNS} FROM sessions s ${whereSql(conditions)}
         ORDER BY s.first_ts DESC, s.session_key DESC LIMIT ?`,
      )
      .all(...params, query.limit + 1) as Row[];
    return page(rows, query.limit, 's', 'session_key', toSession);
  }

  getSession(sessionId: string): SessionSummary & { runs: RunSummary[] } {
    const row = this.#statements
      .get(`SELECT ${SESSION_COLUMNS} FROM sessions s WHERE s.session_id = ?`)
      .get(sessionId) as Row | undefined;
    if (row === undefined || row['first_ts'] === null) throw notFound('session', sessionId);
    const runs = this.#statements
      .get(`SELECT ${RUN_COLUMNS} FROM runs WHERE session_key = ? ORDER BY first_ts, run_key`)
      .all(row['session_key']) as Row[];
    return { ...toSession(row), runs: runs.map(toRun) };
  }

  #range(
    conditions: string[],
    params: unknown[],
    query: { from?: number; to?: number; cursor?: string },
    kind: 'r' | 's',
    key: string,
    ts = 'first_ts',
  ): void {
    if (query.from !== undefined) push(conditions, params, `${ts} >= ?`, query.from);
    if (query.to !== undefined) push(conditions, params, `${ts} < ?`, query.to);
    if (query.cursor !== undefined) {
      const c = decodeCursor(query.cursor, { k: kind, b: 's' });
      conditions.push(`${ts} <= ? AND (${ts} < ? OR ${key} < ?)`);
      params.push(c.t, c.t, c.i);
    }
  }
}

function push(conditions: string[], params: unknown[], sql: string, value: unknown): void {
  conditions.push(sql);
  params.push(value);
}

function page<T>(rows: Row[], limit: number, kind: 'r' | 's', key: string, map: (row: Row) => T): Page<T> {
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  const last = items[items.length - 1];
  return {
    items: items.map(map),
    next_cursor:
      more && last
        ? encodeCursor({ k: kind, b: 's', t: last['first_ts'] as number, i: last[key] as number })
        : null,
  };
}
