import { decodeCursor } from '../cursor.js';
import {
  RUN_COLUMNS,
  SESSION_COLUMNS,
  type SummaryRow,
  summaryPage,
  toRun,
  toSession,
} from '../internal/summary-rows.js';
import type { ParsedRunQuery, ParsedSessionQuery } from '../query-schemas.js';
import type { Page, RunSummary, SessionSummary } from '../read-store.js';
import { notFound } from '../read-store-error.js';
import { whereSql } from './event-where.js';
import { likeContains, type Statements } from './statements.js';

const SESSION_COLUMNS_WITH_COUNT = `${SESSION_COLUMNS},
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
      .all(...params, query.limit + 1) as SummaryRow[];
    return summaryPage(rows, query.limit, 'r', 's', 'run_key', toRun);
  }

  getRun(runId: string): RunSummary {
    const row = this.#statements.get(`SELECT ${RUN_COLUMNS} FROM runs WHERE run_id = ?`).get(runId) as
      | SummaryRow
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
        `SELECT ${SESSION_COLUMNS_WITH_COUNT} FROM sessions s ${whereSql(conditions)}
         ORDER BY s.first_ts DESC, s.session_key DESC LIMIT ?`,
      )
      .all(...params, query.limit + 1) as SummaryRow[];
    return summaryPage(rows, query.limit, 's', 's', 'session_key', toSession);
  }

  getSession(sessionId: string): SessionSummary & { runs: RunSummary[] } {
    const row = this.#statements
      .get(`SELECT ${SESSION_COLUMNS_WITH_COUNT} FROM sessions s WHERE s.session_id = ?`)
      .get(sessionId) as SummaryRow | undefined;
    if (row === undefined || row['first_ts'] === null) throw notFound('session', sessionId);
    const runs = this.#statements
      .get(`SELECT ${RUN_COLUMNS} FROM runs WHERE session_key = ? ORDER BY first_ts, run_key`)
      .all(row['session_key']) as SummaryRow[];
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
