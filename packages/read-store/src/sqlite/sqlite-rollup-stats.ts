import type { Envelope } from '@obs/core';
import {
  foldIntoRollups,
  LatencySketch,
  ROLLUP_BUCKET_MS,
  type RollupDeltaMap,
  type RollupDimensions,
  type StatsRollup,
} from '@obs/store-format';
import { type RollupSegment, rollupCover } from '../internal/rollup-cover.js';
import {
  countInto,
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
import { ERROR, SLOWEST_COLUMNS } from './sqlite-raw-stats.js';
import type { Statements } from './statements.js';

/** A stored rollup row with where it lies: its width and dimension key. */
interface StoredRollup {
  width: number;
  dimKey: number;
  row: StatsRollup;
}

type Dimensions = Omit<RollupDimensions, 'bucket_ts'>;
type Slowest = Stats['slowest'][number] & { ts: number; id: number };

const MIN = ROLLUP_BUCKET_MS;
const EMPTY_SKETCH = new LatencySketch();

/**
 * `stats` of a SQLite store over a time range (and optionally one source), read from the rollups:
 * whole days, hours and minutes from `stats_rollups`, and the events of the partial minutes at an
 * unaligned `from`/`to` folded with the same rules. A timeline finer than a minute, and the slowest
 * events, come from the few events that need reading (see {@link slowestEvents}).
 */
export function sqliteRollupStats(statements: Statements, query: ParsedStatsQuery): Stats {
  let sourceKey: number | undefined;
  if (query.source !== undefined) {
    sourceKey = statements.key('sources', query.source);
    if (sourceKey === undefined) return emptyStats();
  }
  const { lo, hi, a, b, edges } = rollupRange(query.from, query.to);
  const raw = new RawEvents(statements, sourceKey);
  const edgeRows = raw.fold(edges);
  const dims = loadDimensions(statements);
  const stored = a < b ? rollupCover(a, b).flatMap((s) => readRollups(statements, dims, s, sourceKey)) : [];
  const stats = statsFromRollups([...edgeRows.values(), ...stored.map((s) => s.row)], query.groupBy);
  if (stats.total === 0) return emptyStats();
  const first = Date.parse(stats.first_timestamp!);
  const last = Date.parse(stats.last_timestamp!);
  const width = bucketWidth(first, last);
  const timeline =
    width % MIN === 0
      ? rollupTimeline(statements, a, b, width, sourceKey, edgeRows.values())
      : raw.timeline(Math.max(lo, first), Math.min(hi, last + 1), width);
  stats.timeline = fillTimeline(timeline, first, last, width);
  stats.timeline_bucket_ms = width;
  stats.slowest = slowestEvents(statements, raw, [lo, hi], stored, edges, edgeRows.values(), query.slowest);
  return stats;
}

/** Every dimension set by key (a small table: one row per distinct combination ever written). */
function loadDimensions(statements: Statements): Map<number, Dimensions> {
  const rows = statements
    .get(
      `SELECT d.dim_key, s.source, t.event_type, d.operation, d.status, d.model, d.layer, d.component
       FROM stats_rollup_dims d JOIN sources s ON s.source_key = d.source_key
       JOIN event_types t ON t.type_key = d.type_key`,
    )
    .raw()
    .all() as [
    number,
    string,
    string,
    string,
    'ok' | 'error' | null,
    string | null,
    string | null,
    string | null,
  ][];
  const out = new Map<number, Dimensions>();
  for (const [k, source, event_type, operation, status, model, layer, component] of rows) {
    out.set(k, { source, event_type, operation, status, model, layer, component });
  }
  return out;
}

const SOURCE_DIMS = 'dim_key IN (SELECT dim_key FROM stats_rollup_dims WHERE source_key = ?)';

function readRollups(
  statements: Statements,
  dims: ReadonlyMap<number, Dimensions>,
  segment: RollupSegment,
  sourceKey: number | undefined,
): StoredRollup[] {
  const rows = statements
    .get(
      `SELECT dim_key, bucket_ts, event_count, error_count, prompt_tokens, completion_tokens, total_tokens, cost_usd,
        first_ts, last_ts, duration_max, latency FROM stats_rollups
       WHERE bucket_ms = ? AND bucket_ts >= ? AND bucket_ts < ?${sourceKey === undefined ? '' : ` AND ${SOURCE_DIMS}`}`,
    )
    .raw()
    .all(
      segment.width,
      sqlTime(segment.from),
      sqlTime(segment.to),
      ...(sourceKey === undefined ? [] : [sourceKey]),
    ) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number | null,
    Uint8Array,
  ][];
  const out: StoredRollup[] = [];
  for (const [
    dimKey,
    bucket_ts,
    event_count,
    error_count,
    prompt,
    completion,
    total,
    cost,
    first,
    last,
    max,
    sketch,
  ] of rows) {
    const d = dims.get(dimKey);
    if (d === undefined) continue;
    out.push({
      width: segment.width,
      dimKey,
      row: {
        ...d,
        bucket_ts,
        event_count,
        error_count,
        prompt_tokens: prompt,
        completion_tokens: completion,
        total_tokens: total,
        cost_usd: cost,
        first_ts: first,
        last_ts: last,
        duration_max: max,
        latency: max === null ? EMPTY_SKETCH : LatencySketch.decode(sketch),
      },
    });
  }
  return out;
}

/** Event and error counts per timeline bucket of `width` (a multiple of a minute) over `[a, b)` and the edges. */
function rollupTimeline(
  statements: Statements,
  a: number,
  b: number,
  width: number,
  sourceKey: number | undefined,
  edgeRows: Iterable<StatsRollup>,
): TimelineCounts {
  const counts: TimelineCounts = new Map();
  const add = (bucket: number, total: number, errors: number) => countInto(counts, bucket, total, errors);
  for (const r of edgeRows) add(Math.floor(r.bucket_ts / width), r.event_count, r.error_count);
  for (const s of a < b ? rollupCover(a, b, width) : []) {
    const rows = statements
      .get(
        `SELECT bucket_ts / CAST(? AS INTEGER) AS k, SUM(event_count), SUM(error_count) FROM stats_rollups
         WHERE bucket_ms = ? AND bucket_ts >= ? AND bucket_ts < ?${sourceKey === undefined ? '' : ` AND ${SOURCE_DIMS}`}
         GROUP BY k`,
      )
      .raw()
      .all(
        width,
        s.width,
        sqlTime(s.from),
        sqlTime(s.to),
        ...(sourceKey === undefined ? [] : [sourceKey]),
      ) as [number, number, number][];
    for (const [k, total, errors] of rows) add(k, total, errors);
  }
  return counts;
}

/**
 * The `n` slowest events, read from few events: a lower bound `t` of the n-th longest duration
 * ({@link slowestBound}) means only rows whose maximum is at least `t` can hold one; those are
 * narrowed down to their minutes through the finer widths, and only those minutes' events (and the
 * edges') with a duration of at least `t` are read; when too many minutes reach `t`, the duration
 * index is walked from the top down to `t` instead.
 */
function slowestEvents(
  statements: Statements,
  raw: RawEvents,
  range: [number, number],
  stored: readonly StoredRollup[],
  edges: readonly [number, number][],
  edgeRows: Iterable<StatsRollup>,
  n: number,
): Stats['slowest'] {
  const t = slowestBound([...edgeRows, ...stored.map((s) => s.row)], n);
  if (t === null) return [];
  const minutes = candidateMinutes(statements, stored, t);
  if (minutes === null) return raw.slowest(range[0], range[1], t, n);
  const ranges: [number, number][] = [...edges];
  for (const m of minutes) {
    const previous = ranges[ranges.length - 1];
    if (previous !== undefined && previous[1] === m) previous[1] = m + MIN;
    else ranges.push([m, m + MIN]);
  }
  const found = ranges.flatMap(([from, to]) => raw.slowerThan(from, to, t));
  found.sort((x, y) => y.duration_ms - x.duration_ms || x.ts - y.ts || x.id - y.id);
  return found.slice(0, n).map(({ ts: _ts, id: _id, ...row }) => row);
}

/** Most minutes {@link candidateMinutes} narrows down to before the duration index is cheaper. */
const MAX_CANDIDATE_MINUTES = 64;
const FINER = new Map<number, number>([
  [86_400_000, 3_600_000],
  [3_600_000, MIN],
]);

/**
 * The minutes (ascending) whose rows have a maximum of at least `t`, found by narrowing the stored
 * rows down through the finer widths; null when there are more than {@link MAX_CANDIDATE_MINUTES}
 * (many rows reach `t`, as when durations repeat: then walking the duration index is cheaper).
 */
function candidateMinutes(
  statements: Statements,
  stored: readonly StoredRollup[],
  t: number,
): number[] | null {
  let candidates = stored.filter((s) => s.row.duration_max !== null && s.row.duration_max >= t);
  const finer = statements.get(
    `SELECT bucket_ts FROM stats_rollups WHERE bucket_ms = ? AND bucket_ts >= ? AND bucket_ts < ?
     AND dim_key = ? AND duration_max >= ?`,
  );
  for (;;) {
    if (candidates.length > MAX_CANDIDATE_MINUTES) return null;
    if (!candidates.some((c) => c.width > MIN)) break;
    candidates = candidates.flatMap((c) => {
      const w = FINER.get(c.width);
      if (w === undefined) return [c];
      const starts = finer
        .pluck()
        .all(w, c.row.bucket_ts, c.row.bucket_ts + c.width, c.dimKey, sqlTime(t)) as number[];
      return starts.map((bucket_ts) => ({ width: w, dimKey: c.dimKey, row: { ...c.row, bucket_ts } }));
    });
  }
  return [...new Set(candidates.map((c) => c.row.bucket_ts))].sort((x, y) => x - y);
}

/** Reads of events themselves, within a time range and the query's source. */
class RawEvents {
  readonly #statements: Statements;
  readonly #source: string;
  readonly #params: number[];

  constructor(statements: Statements, sourceKey: number | undefined) {
    this.#statements = statements;
    this.#source = sourceKey === undefined ? '' : ' AND source_key = ?';
    this.#params = sourceKey === undefined ? [] : [sourceKey];
  }

  /** The events of each `[from, to)` folded into minute rows with the rollup rules. */
  fold(ranges: readonly [number, number][]): RollupDeltaMap {
    const deltas: RollupDeltaMap = new Map();
    const statement = this.#statements
      .get(`SELECT ts, json FROM event_rows WHERE ts >= ? AND ts < ?${this.#source}`)
      .raw();
    for (const [from, to] of ranges) {
      for (const [ts, json] of statement.all(sqlTime(from), sqlTime(to), ...this.#params) as [
        number,
        string,
      ][]) {
        foldIntoRollups(deltas, JSON.parse(json) as Envelope, ts);
      }
    }
    return deltas;
  }

  /** Event and error counts per bucket of `width` over `[from, to)`. */
  timeline(from: number, to: number, width: number): Map<number, { total: number; errors: number }> {
    const rows = this.#statements
      .get(
        `SELECT ts / CAST(? AS INTEGER) AS b, COUNT(*), SUM(${ERROR}) FROM event_rows
         WHERE ts >= ? AND ts < ?${this.#source} GROUP BY b`,
      )
      .raw()
      .all(width, sqlTime(from), sqlTime(to), ...this.#params) as [number, number, number][];
    return new Map(rows.map(([b, total, errors]) => [b, { total, errors }]));
  }

  /** The `n` longest events of `[from, to)` of at least `min`, walking the duration index from the top. */
  slowest(from: number, to: number, min: number, n: number): Stats['slowest'] {
    return this.#statements
      .get(
        `SELECT ${SLOWEST_COLUMNS} FROM event_rows INDEXED BY events_slowest
         WHERE duration_ms IS NOT NULL AND duration_ms >= ? AND ts >= ? AND ts < ?${this.#source}
         ORDER BY duration_ms DESC, ts, id LIMIT ?`,
      )
      .all(sqlTime(min), sqlTime(from), sqlTime(to), ...this.#params, n) as Stats['slowest'];
  }

  /** Events of `[from, to)` whose duration is at least `min`, as `slowest` rows with their order keys. */
  slowerThan(from: number, to: number, min: number): Slowest[] {
    return this.#statements
      .get(
        `SELECT ${SLOWEST_COLUMNS}, ts, id FROM event_rows
         WHERE ts >= ? AND ts < ? AND duration_ms >= ?${this.#source}`,
      )
      .all(sqlTime(from), sqlTime(to), sqlTime(min), ...this.#params) as Slowest[];
  }
}
