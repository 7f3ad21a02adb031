import {
  LATENCY_SKETCH_RELATIVE_ACCURACY,
  LatencySketch,
  ROLLUP_BUCKET_MS,
  type StatsRollup,
} from '@obs/store-format';

/**
 * A stats time range split for reading from rollups: `[a, b)` is whole minutes (±Infinity when
 * unbounded) read from the stored rows, `edges` the partial minutes at an unaligned `from`/`to`
 * (empty ones left out) whose events are folded with the same rules.
 */
export interface RollupRange {
  lo: number;
  hi: number;
  a: number;
  b: number;
  edges: [number, number][];
}

/** Splits `[from, to)` (either side open when undefined) into stored minutes and raw edges. */
export function rollupRange(from: number | undefined, to: number | undefined): RollupRange {
  const lo = from ?? Number.NEGATIVE_INFINITY;
  const hi = to ?? Number.POSITIVE_INFINITY;
  const a = Number.isFinite(lo) ? Math.ceil(lo / ROLLUP_BUCKET_MS) * ROLLUP_BUCKET_MS : lo;
  const b = Math.max(a, Number.isFinite(hi) ? Math.floor(hi / ROLLUP_BUCKET_MS) * ROLLUP_BUCKET_MS : hi);
  const edges: [number, number][] =
    a < b
      ? [
          [lo, a],
          [b, hi],
        ]
      : [[lo, hi]];
  return { lo, hi, a, b, edges: edges.filter(([x, y]) => x < y) };
}

/** A bound standing for ±Infinity that SQL compares with an integer `ts` (SQLite and PostgreSQL alike). */
export const sqlTime = (t: number) =>
  t === Number.NEGATIVE_INFINITY ? -(2 ** 53) : t === Number.POSITIVE_INFINITY ? 2 ** 53 : t;

/**
 * A lower bound of the `n`-th longest duration in `rows` (-Infinity when they hold at most `n` timed
 * events; null when none): the larger of the n-th largest row maximum (each row holds its maximum) and
 * the merged sketch's value at that rank, less its relative error.
 */
export function slowestBound(rows: readonly StatsRollup[], n: number): number | null {
  const all = new LatencySketch();
  const maxima: number[] = [];
  for (const r of rows) {
    if (r.duration_max === null) continue;
    maxima.push(r.duration_max);
    all.merge(r.latency);
  }
  if (all.count === 0) return null;
  if (all.count <= n) return Number.NEGATIVE_INFINITY;
  maxima.sort((x, y) => y - x);
  const byRows = maxima.length >= n ? maxima[n - 1]! : Number.NEGATIVE_INFINITY;
  const estimate = all.atRank(all.count - n)!;
  const bySketch =
    estimate > 0
      ? (estimate / (1 + LATENCY_SKETCH_RELATIVE_ACCURACY)) * (1 - 1e-9)
      : Number.NEGATIVE_INFINITY;
  return Math.max(byRows, bySketch);
}

/** Event and error counts per timeline bucket. */
export type TimelineCounts = Map<number, { total: number; errors: number }>;

/** Adds `total` events and `errors` errors to `bucket` of `counts`. */
export function countInto(counts: TimelineCounts, bucket: number, total: number, errors: number): void {
  const c = counts.get(bucket);
  if (c === undefined) counts.set(bucket, { total, errors });
  else {
    c.total += total;
    c.errors += errors;
  }
}
