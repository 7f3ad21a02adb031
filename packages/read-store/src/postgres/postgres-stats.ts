import type pg from 'pg';
import { emptyStats } from '../internal/stats-accumulator.js';
import {
  addToTally,
  bucketWidth,
  fillTimeline,
  type GroupTally,
  sortedRecord,
  toGroupStats,
} from '../internal/stats-math.js';
import type { ParsedStatsQuery } from '../query-schemas.js';
import type { Stats, StatsGroupBy } from '../read-store.js';
import { postgresEventWhere } from './postgres-where.js';
import { SqlParams, whereSql } from './sql-params.js';

const PAYLOAD = `((json::jsonb)->'payload')`;
/** A payload field when it is a JSON string (what SQLite's `json_extract` gives a string for), else NULL. */
const text = (field: string) =>
  `(CASE WHEN jsonb_typeof(${PAYLOAD}->'${field}') = 'string' THEN ${PAYLOAD}->>'${field}' END)`;
const ERROR = `(status = 'error' OR event_type = 'error')`;
const OPERATION = `(CASE WHEN event_type = 'span' THEN COALESCE(${text('operation')}, 'span') ELSE event_type END)`;
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

/** `stats` of a PostgreSQL store: counts and sums in SQL over the filtered events; percentiles in JS. */
export async function postgresStats(db: pg.Pool, query: ParsedStatsQuery): Promise<Stats> {
  const p = new SqlParams();
  const conditions = postgresEventWhere(query, p);
  const w = whereSql(conditions);
  const and = (extra: string) => whereSql([...conditions, extra]);
  const run = async <R extends Record<string, unknown>>(sql: string, extra: unknown[] = []) =>
    (await db.query<R>(sql, [...p.values, ...extra])).rows;
  const bySourceStatus = await run<{
    k: string;
    status: string | null;
    n: number;
    first: number;
    last: number;
  }>(
    `SELECT source AS k, status, count(*) AS n, min(ts) AS first, max(ts) AS last FROM events ${w} GROUP BY 1, 2`,
  );
  if (bySourceStatus.length === 0) return emptyStats();
  const byTypeRows = await run<{ k: string; n: number }>(
    `SELECT event_type AS k, count(*) AS n FROM events ${w} GROUP BY 1`,
  );
  const bySource = new Map<string, number>();
  let total = 0;
  let ok = 0;
  let errors = 0;
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const c of bySourceStatus) {
    bySource.set(c.k, (bySource.get(c.k) ?? 0) + c.n);
    total += c.n;
    if (c.status === 'ok') ok += c.n;
    if (c.status === 'error') errors += c.n;
    first = Math.min(first, c.first);
    last = Math.max(last, c.last);
  }
  const byType = new Map(byTypeRows.map((r) => [r.k, r.n]));
  const [extra] = await run<{ n: number }>(
    `SELECT count(*) AS n FROM events ${and("event_type = 'error' AND status IS DISTINCT FROM 'error'")}`,
  );
  errors += extra?.n ?? 0;
  const width = bucketWidth(first, last);
  const next = `$${p.values.length + 1}`;
  const buckets = await run<{ b: number; n: number; errors: number }>(
    `SELECT ts / ${next}::int8 AS b, count(*) AS n, count(*) FILTER (WHERE ${ERROR}) AS errors FROM events ${w} GROUP BY 1`,
    [width],
  );
  const timeline = new Map(buckets.map((b) => [b.b, { total: b.n, errors: b.errors }]));

  const latency = new Map<string, GroupTally>();
  const timed = await run<{ k: string; d: number; status: string | null; e: boolean }>(
    `SELECT ${OPERATION} AS k, duration_ms AS d, status, ${ERROR} AS e FROM events ${and('duration_ms IS NOT NULL')}`,
  );
  for (const r of timed) addToTally(latency, r.k, r.d, r.status === 'ok', r.e);

  const slowest = (await run(
    `SELECT event_id::text AS event_id, run_id, ${OPERATION} AS name, duration_ms, status,
       (json::jsonb)->>'timestamp' AS timestamp FROM events
     ${and('duration_ms IS NOT NULL')} ORDER BY duration_ms DESC, ts, id LIMIT ${next}`,
    [query.slowest],
  )) as Stats['slowest'];

  const [llm] = await run<{ prompt: number; completion: number; total: number; cost: number }>(
    `SELECT COALESCE(sum(${NUM('prompt_tokens')}), 0)::float8 AS prompt,
       COALESCE(sum(${NUM('completion_tokens')}), 0)::float8 AS completion,
       COALESCE(sum(CASE WHEN ${PAYLOAD}->'total_tokens' IS NULL
         THEN ${NUM('prompt_tokens')} + ${NUM('completion_tokens')} ELSE ${NUM('total_tokens')} END), 0)::float8 AS total,
       COALESCE(sum(${NUM('cost_usd')}), 0)::float8 AS cost
     FROM events ${and("event_type = 'llm.call'")}`,
  );

  const stats: Stats = {
    total,
    successes: ok,
    failures: errors,
    by_source: sortedRecord(bySource),
    by_type: sortedRecord(byType),
    latency: toGroupStats(latency),
    slowest,
    tokens: { prompt: llm?.prompt ?? 0, completion: llm?.completion ?? 0, total: llm?.total ?? 0 },
    cost_usd: llm?.cost ?? 0,
    timeline: fillTimeline(timeline, first, last, width),
    timeline_bucket_ms: width,
    first_timestamp: new Date(first).toISOString(),
    last_timestamp: new Date(last).toISOString(),
  };
  if (query.groupBy !== undefined) {
    const groups = new Map<string, GroupTally>();
    const rows = await run<{ k: string | null; d: number | null; status: string | null; e: boolean }>(
      `SELECT ${KEY_SQL[query.groupBy]} AS k, duration_ms AS d, status, ${ERROR} AS e FROM events ${w}`,
    );
    for (const r of rows) if (typeof r.k === 'string') addToTally(groups, r.k, r.d, r.status === 'ok', r.e);
    stats.groups = toGroupStats(groups);
  }
  return stats;
}
