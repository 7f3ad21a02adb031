import type pg from 'pg';
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
import { likeContains, SqlParams, whereSql } from './sql-params.js';

const SESSION_COLUMNS_WITH_COUNT = `${SESSION_COLUMNS},
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
    return summaryPage(rows, query.limit, 'r', 'p', 'run_key', toRun);
  }

  async getRun(runId: string): Promise<RunSummary> {
    const { rows } = await this.#db.query(`SELECT ${RUN_COLUMNS} FROM runs WHERE run_id = $1`, [runId]);
    const row = rows[0] as SummaryRow | undefined;
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
      `SELECT ${SESSION_COLUMNS_WITH_COUNT} FROM sessions s ${whereSql(conditions)}
       ORDER BY s.first_ts DESC, s.session_key DESC LIMIT ${p.add(query.limit + 1)}`,
      p.values,
    );
    return summaryPage(rows, query.limit, 's', 'p', 'session_key', toSession);
  }

  async getSession(sessionId: string): Promise<SessionSummary & { runs: RunSummary[] }> {
    const { rows } = await this.#db.query(
      `SELECT ${SESSION_COLUMNS_WITH_COUNT} FROM sessions s WHERE s.session_id = $1`,
      [sessionId],
    );
    const row = rows[0] as SummaryRow | undefined;
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
