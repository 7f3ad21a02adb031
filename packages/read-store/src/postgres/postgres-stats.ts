import type pg from 'pg';
import { type LlmSums, rawStats, type SourceStatusCount, type TallyRow } from '../internal/raw-stats.js';
import type { ParsedStatsQuery } from '../query-schemas.js';
import type { Stats, StatsGroupBy } from '../read-store.js';
import { ERROR, OPERATION, PAYLOAD, SLOWEST_COLUMNS, payloadText as text } from './postgres-event-sql.js';
import { postgresRollupStats } from './postgres-rollup-stats.js';
import { postgresEventWhere } from './postgres-where.js';
import { SqlParams, whereSql } from './sql-params.js';

const KEY_SQL: Record<StatsGroupBy, string> = {
  source: 'source',
  event_type: 'event_type',
  operation: OPERATION,
  layer: text('layer'),
  component: text('component'),
  model: text('model'),
};
/** A non-negative number of the payload, else 0 (the rules of `llmUsage`). */
const NUM = (field: string) =>
  `(CASE WHEN jsonb_typeof(${PAYLOAD}->'${field}') = 'number' AND (${PAYLOAD}->>'${field}')::float8 >= 0
    THEN (${PAYLOAD}->>'${field}')::float8 ELSE 0 END)`;

/**
 * `stats` of one run or session, from its events (as SQLite's raw stats): counts and sums in SQL,
 * exact percentiles in JS. Other queries go to `postgresRollupStats`.
 */
export async function postgresStats(db: pg.Pool, query: ParsedStatsQuery): Promise<Stats> {
  if (query.run_id === undefined && query.session_id === undefined) return postgresRollupStats(db, query);
  return postgresRawStats(db, query);
}

async function postgresRawStats(db: pg.Pool, query: ParsedStatsQuery): Promise<Stats> {
  const p = new SqlParams();
  const conditions = postgresEventWhere(query, p);
  const w = whereSql(conditions);
  const and = (extra: string) => whereSql([...conditions, extra]);
  const next = `$${p.values.length + 1}`;
  const run = async <R extends Record<string, unknown>>(sql: string, extra: unknown[] = []) =>
    (await db.query<R>(sql, [...p.values, ...extra])).rows;
  const tallyRows = async (sql: string) =>
    (await run<{ k: unknown; d: number | null; status: string | null; e: boolean }>(sql)).map(
      (r): TallyRow => [r.k, r.d, r.status === 'ok', r.e],
    );
  return rawStats(
    {
      bySourceStatus: () =>
        run<SourceStatusCount & Record<string, unknown>>(
          `SELECT source, status, count(*) AS n, min(ts) AS first, max(ts) AS last FROM events ${w} GROUP BY 1, 2`,
        ),
      byType: async () =>
        new Map(
          (
            await run<{ k: string; n: number }>(
              `SELECT event_type AS k, count(*) AS n FROM events ${w} GROUP BY 1`,
            )
          ).map((r) => [r.k, r.n]),
        ),
      errorTypedNotFailed: async () =>
        (
          await run<{ n: number }>(
            `SELECT count(*) AS n FROM events ${and("event_type = 'error' AND status IS DISTINCT FROM 'error'")}`,
          )
        )[0]?.n ?? 0,
      timeline: async (width) =>
        new Map(
          (
            await run<{ b: number; n: number; errors: number }>(
              `SELECT ts / ${next}::int8 AS b, count(*) AS n, count(*) FILTER (WHERE ${ERROR}) AS errors FROM events ${w} GROUP BY 1`,
              [width],
            )
          ).map((b) => [b.b, { total: b.n, errors: b.errors }]),
        ),
      timed: () =>
        tallyRows(
          `SELECT ${OPERATION} AS k, duration_ms AS d, status, ${ERROR} AS e FROM events ${and('duration_ms IS NOT NULL')}`,
        ),
      slowest: async (n) =>
        (await run(
          `SELECT ${SLOWEST_COLUMNS} FROM events ${and('duration_ms IS NOT NULL')}
           ORDER BY duration_ms DESC, ts, id LIMIT ${next}`,
          [n],
        )) as Stats['slowest'],
      llm: async () =>
        (
          await run<LlmSums & Record<string, unknown>>(
            `SELECT COALESCE(sum(${NUM('prompt_tokens')}), 0)::float8 AS prompt,
               COALESCE(sum(${NUM('completion_tokens')}), 0)::float8 AS completion,
               COALESCE(sum(CASE WHEN ${PAYLOAD}->'total_tokens' IS NULL
                 THEN ${NUM('prompt_tokens')} + ${NUM('completion_tokens')} ELSE ${NUM('total_tokens')} END), 0)::float8 AS total,
               COALESCE(sum(${NUM('cost_usd')}), 0)::float8 AS cost
             FROM events ${and("event_type = 'llm.call'")}`,
          )
        )[0] ?? { prompt: 0, completion: 0, total: 0, cost: 0 },
      grouped: (groupBy) =>
        tallyRows(
          `SELECT ${KEY_SQL[groupBy]} AS k, duration_ms AS d, status, ${ERROR} AS e FROM events ${w}`,
        ),
    },
    query,
  );
}
