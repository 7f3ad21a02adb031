import type { Envelope } from '@obs/core';
import {
  foldIntoRollups,
  LatencySketch,
  ROLLUP_BUCKET_MS,
  type RollupDeltaMap,
  type StatsRollup,
} from '@obs/store-format';
import type pg from 'pg';
import { type RollupSegment, rollupCover } from '../internal/rollup-cover.js';
import {
  countInto,
  type RollupRange,
  rollupRange,
  slowestBound,
  sqlTime,
  type TimelineCounts,
} from '../internal/rollup-range.js';
import { statsFromRollups } from '../internal/rollup-stats.js';
import { emptyStats } from '../internal/stats-accumulator.js';
import { bucketWidth, fillTimeline } from '../internal/stats-math.js';
import type { ParsedStatsQuery } from '../query-schemas.js';
import type { Stats } from '../read-store.js';
import { SqlParams } from './sql-params.js';

const MIN = ROLLUP_BUCKET_MS;
/** Most minutes whose events are read for the slowest events before one ordered scan is cheaper. */
const MAX_CANDIDATE_MINUTES = 64;
const OPERATION = `(CASE WHEN event_type = 'span' THEN COALESCE(
  CASE WHEN jsonb_typeof((json::jsonb)->'payload'->'operation') = 'string' THEN (json::jsonb)->'payload'->>'operation' END,
  'span') ELSE event_type END)`;
const SLOWEST_COLUMNS = `event_id::text AS event_id, run_id, ${OPERATION} AS name, duration_ms, status,
  (json::jsonb)->>'timestamp' AS timestamp`;

type StoredRow = Omit<StatsRollup, 'latency'> & { latency: Buffer };

/**
 * `stats` over the whole store or a time range (and a source), split as SQLite's (`rollupRange`):
 * whole days, hours and minutes from the stored `stats_rollups` (kept by the writers), and the
 * events of the partial minutes at an unaligned `from`/`to` folded by `foldIntoRollups`, all summed
 * by `statsFromRollups`. The timeline comes from the same rows when its buckets are whole minutes,
 * else from the events; the slowest events from the minutes whose stored maximum can hold one.
 */
export async function postgresRollupStats(db: pg.Pool, query: ParsedStatsQuery): Promise<Stats> {
  const range = rollupRange(query.from, query.to);
  const { a, b } = range;
  const raw = new RawEvents(db, query.source);
  const edgeRows = [...(await raw.fold(range.edges)).values()];
  const stored = a < b ? await readRollups(db, rollupCover(a, b), query.source) : [];
  const rows = [...edgeRows, ...stored];
  const stats = statsFromRollups(rows, query.groupBy);
  if (stats.total === 0) return emptyStats();
  const first = Date.parse(stats.first_timestamp!);
  const last = Date.parse(stats.last_timestamp!);
  const width = bucketWidth(first, last);
  const timeline =
    width % MIN === 0
      ? await rollupTimeline(db, range, width, query.source, edgeRows)
      : await raw.timeline(Math.max(range.lo, first), Math.min(range.hi, last + 1), width);
  stats.timeline = fillTimeline(timeline, first, last, width);
  stats.timeline_bucket_ms = width;
  stats.slowest = await slowestEvents(db, raw, range, rows, query.source, query.slowest);
  return stats;
}

/** The `WHERE` terms of rows in one of `segments` (and of `source`), parameters added to `p`. */
function segmentsWhere(p: SqlParams, segments: readonly RollupSegment[], source: string | undefined): string {
  const any = segments
    .map(
      (s) =>
        `(bucket_ms = ${p.add(s.width)}::int4 AND bucket_ts >= ${p.add(sqlTime(s.from))}::int8 AND bucket_ts < ${p.add(sqlTime(s.to))}::int8)`,
    )
    .join(' OR ');
  return source === undefined ? `(${any})` : `(${any}) AND source = ${p.add(source)}`;
}

/** The stored rows of `segments`, of one source when given. */
async function readRollups(
  db: pg.Pool,
  segments: readonly RollupSegment[],
  source: string | undefined,
): Promise<StatsRollup[]> {
  if (segments.length === 0) return [];
  const p = new SqlParams();
  const { rows } = await db.query<StoredRow>(
    `SELECT bucket_ts, source, event_type, operation, status, model, layer, component, event_count, error_count,
       prompt_tokens, completion_tokens, total_tokens, cost_usd, first_ts, last_ts, duration_max, latency
     FROM stats_rollups WHERE ${segmentsWhere(p, segments, source)}`,
    p.values,
  );
  return rows.map((r) => ({ ...r, latency: LatencySketch.decode(r.latency) }));
}

/** Event and error counts per timeline bucket of `width` (whole minutes) from the stored rows and the edges. */
async function rollupTimeline(
  db: pg.Pool,
  { a, b }: RollupRange,
  width: number,
  source: string | undefined,
  edgeRows: readonly StatsRollup[],
): Promise<TimelineCounts> {
  const counts: TimelineCounts = new Map();
  for (const r of edgeRows) countInto(counts, Math.floor(r.bucket_ts / width), r.event_count, r.error_count);
  const segments = a < b ? rollupCover(a, b, width) : [];
  if (segments.length === 0) return counts;
  const p = new SqlParams();
  const where = segmentsWhere(p, segments, source);
  const { rows } = await db.query<{ k: number; n: number; errors: number }>(
    `SELECT bucket_ts / ${p.add(width)}::int8 AS k, sum(event_count)::int8 AS n,
       sum(error_count)::int8 AS errors FROM stats_rollups WHERE ${where} GROUP BY 1`,
    p.values,
  );
  for (const r of rows) countInto(counts, r.k, r.n, r.errors);
  return counts;
}

/**
 * The `n` slowest events: a lower bound `t` of the n-th longest duration (`slowestBound`) means only
 * minutes whose stored maximum is at least `t` can hold one, so only their events (and the edges')
 * are read; when more than {@link MAX_CANDIDATE_MINUTES} minutes reach `t`, the range is read ordered
 * by duration instead.
 */
async function slowestEvents(
  db: pg.Pool,
  raw: RawEvents,
  range: RollupRange,
  rows: readonly StatsRollup[],
  source: string | undefined,
  n: number,
): Promise<Stats['slowest']> {
  const t = slowestBound(rows, n);
  if (t === null) return [];
  const minutes: number[] = [];
  if (range.a < range.b) {
    const p = new SqlParams();
    const where = segmentsWhere(p, [{ width: MIN, from: range.a, to: range.b }], source);
    const found = await db.query<{ m: number }>(
      `SELECT DISTINCT bucket_ts AS m FROM stats_rollups WHERE ${where} AND duration_max >= ${p.add(sqlTime(t))}
       ORDER BY 1 LIMIT ${MAX_CANDIDATE_MINUTES + 1}`,
      p.values,
    );
    if (found.rows.length > MAX_CANDIDATE_MINUTES) return raw.slowest([[range.lo, range.hi]], t, n);
    minutes.push(...found.rows.map((r) => r.m));
  }
  const ranges: [number, number][] = [...range.edges];
  for (const m of minutes) {
    const previous = ranges[ranges.length - 1];
    if (previous !== undefined && previous[1] === m) previous[1] = m + MIN;
    else ranges.push([m, m + MIN]);
  }
  return raw.slowest(ranges, t, n);
}

/** Reads of events themselves, within time ranges and the query's source. */
class RawEvents {
  readonly #db: pg.Pool;
  readonly #source: string | undefined;

  constructor(db: pg.Pool, source: string | undefined) {
    this.#db = db;
    this.#source = source;
  }

  /** `WHERE` terms of events in one of `ranges` (and the source). */
  #where(p: SqlParams, ranges: readonly [number, number][]): string {
    const any = ranges
      .map(([from, to]) => `(ts >= ${p.add(sqlTime(from))}::int8 AND ts < ${p.add(sqlTime(to))}::int8)`)
      .join(' OR ');
    return this.#source === undefined ? `(${any})` : `(${any}) AND source = ${p.add(this.#source)}`;
  }

  /** The events of each `[from, to)` folded into minute rows with the rollup rules. */
  async fold(ranges: readonly [number, number][]): Promise<RollupDeltaMap> {
    const deltas: RollupDeltaMap = new Map();
    for (const [from, to] of ranges) {
      const p = new SqlParams();
      const { rows } = await this.#db.query<{ ts: number; json: string }>(
        `SELECT ts, json FROM events WHERE ${this.#where(p, [[from, to]])}`,
        p.values,
      );
      for (const r of rows) foldIntoRollups(deltas, JSON.parse(r.json) as Envelope, r.ts);
    }
    return deltas;
  }

  /** Event and error counts per bucket of `width` over `[from, to)`. */
  async timeline(from: number, to: number, width: number): Promise<TimelineCounts> {
    const p = new SqlParams();
    const { rows } = await this.#db.query<{ b: number; n: number; errors: number }>(
      `SELECT ts / ${p.add(width)}::int8 AS b, count(*) AS n,
         count(*) FILTER (WHERE status = 'error' OR event_type = 'error') AS errors FROM events
       WHERE ${this.#where(p, [[from, to]])} GROUP BY 1`,
      p.values,
    );
    return new Map(rows.map((r) => [r.b, { total: r.n, errors: r.errors }]));
  }

  /** The `n` longest events of `ranges` with a duration of at least `min`. */
  async slowest(ranges: readonly [number, number][], min: number, n: number): Promise<Stats['slowest']> {
    if (ranges.length === 0) return [];
    const p = new SqlParams();
    const where = this.#where(p, ranges);
    const { rows } = await this.#db.query(
      `SELECT ${SLOWEST_COLUMNS} FROM events WHERE ${where} AND duration_ms >= ${p.add(sqlTime(min))}::float8
       ORDER BY duration_ms DESC, ts, id LIMIT ${p.add(n)}`,
      p.values,
    );
    return rows as Stats['slowest'];
  }
}
