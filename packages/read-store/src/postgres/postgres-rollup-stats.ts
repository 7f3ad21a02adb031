import type { Envelope } from '@obs/core';
import { foldIntoRollups, LatencySketch, type RollupDeltaMap, type StatsRollup } from '@obs/store-format';
import type pg from 'pg';
import { statsFromRollups } from '../internal/rollup-stats.js';
import { emptyStats } from '../internal/stats-accumulator.js';
import { bucketWidth, fillTimeline } from '../internal/stats-math.js';
import type { ParsedStatsQuery } from '../query-schemas.js';
import type { Stats } from '../read-store.js';
import { postgresEventWhere } from './postgres-where.js';
import { SqlParams, whereSql } from './sql-params.js';

const DAY_MS = 86_400_000;
const OPERATION = `(CASE WHEN event_type = 'span' THEN COALESCE(
  CASE WHEN jsonb_typeof((json::jsonb)->'payload'->'operation') = 'string' THEN (json::jsonb)->'payload'->>'operation' END,
  'span') ELSE event_type END)`;

/**
 * `stats` over the whole store or a time range (and a source), by the rollup rules every backend
 * shares: without a range, the stored day rollups (`stats_rollups`, kept by the writers); with one,
 * the range's events folded by `foldIntoRollups` (the stored rows are per minute, a range may cut
 * one). Both are summed by `statsFromRollups`, as SQLite's and JSONL's stats are; the timeline and
 * the slowest events are counted from the events, exactly.
 */
export async function postgresRollupStats(db: pg.Pool, query: ParsedStatsQuery): Promise<Stats> {
  const rows =
    query.from === undefined && query.to === undefined
      ? await storedDays(db, query.source)
      : await foldedEvents(db, query);
  const stats = statsFromRollups(rows, query.groupBy);
  if (stats.total === 0) return emptyStats();
  const first = Date.parse(stats.first_timestamp!);
  const last = Date.parse(stats.last_timestamp!);
  const width = bucketWidth(first, last);
  const p = new SqlParams();
  const w = whereSql(postgresEventWhere(query, p));
  const and = (extra: string) => whereSql([...postgresEventWhere(query, new SqlParams()), extra]);
  const next = `$${p.values.length + 1}`;
  const buckets = await db.query<{ b: number; n: number; errors: number }>(
    `SELECT ts / ${next}::int8 AS b, count(*) AS n,
       count(*) FILTER (WHERE status = 'error' OR event_type = 'error') AS errors FROM events ${w} GROUP BY 1`,
    [...p.values, width],
  );
  stats.timeline = fillTimeline(
    new Map(buckets.rows.map((b) => [b.b, { total: b.n, errors: b.errors }])),
    first,
    last,
    width,
  );
  stats.timeline_bucket_ms = width;
  const slowest = await db.query(
    `SELECT event_id::text AS event_id, run_id, ${OPERATION} AS name, duration_ms, status,
       (json::jsonb)->>'timestamp' AS timestamp FROM events
     ${and('duration_ms IS NOT NULL')} ORDER BY duration_ms DESC, ts, id LIMIT ${next}`,
    [...p.values, query.slowest],
  );
  stats.slowest = slowest.rows as Stats['slowest'];
  return stats;
}

/** The stored day rollups (every event is in exactly one), of one source when given. */
async function storedDays(db: pg.Pool, source: string | undefined): Promise<StatsRollup[]> {
  const { rows } = await db.query<Omit<StatsRollup, 'latency'> & { latency: Buffer }>(
    `SELECT bucket_ts, source, event_type, operation, status, model, layer, component, event_count, error_count,
       prompt_tokens, completion_tokens, total_tokens, cost_usd, first_ts, last_ts, duration_max, latency
     FROM stats_rollups WHERE bucket_ms = $1${source === undefined ? '' : ' AND source = $2'}`,
    source === undefined ? [DAY_MS] : [DAY_MS, source],
  );
  return rows.map((r) => ({ ...r, latency: LatencySketch.decode(r.latency) }));
}

/** The events of the query folded into rollup rows by the writers' rules. */
async function foldedEvents(db: pg.Pool, query: ParsedStatsQuery): Promise<StatsRollup[]> {
  const p = new SqlParams();
  const { rows } = await db.query<{ ts: number; json: string }>(
    `SELECT ts, json FROM events ${whereSql(postgresEventWhere(query, p))}`,
    p.values,
  );
  const deltas: RollupDeltaMap = new Map();
  for (const r of rows) foldIntoRollups(deltas, JSON.parse(r.json) as Envelope, r.ts);
  return [...deltas.values()];
}
