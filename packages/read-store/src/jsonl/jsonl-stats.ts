import { foldIntoRollups, isErrorEvent, type RollupDeltaMap } from '@obs/store-format';
import { statsFromRollups } from '../internal/rollup-stats.js';
import { emptyStats } from '../internal/stats-accumulator.js';
import { bucketWidth, fillTimeline } from '../internal/stats-math.js';
import type { Stats, StatsGroupBy } from '../read-store.js';
import type { JsonlIndex } from './jsonl-index.js';
import { rowView } from './row-view.js';

/**
 * `stats` of trail-ordered rows by the rollup rules every backend shares: the rows folded into rollup
 * rows (`foldIntoRollups`, from their columns, no JSON read) and summed by `statsFromRollups` as the
 * SQLite backend sums its stored rollups; the timeline and the slowest events from the columns.
 */
export function jsonlStats(
  index: JsonlIndex,
  rows: readonly number[],
  groupBy: StatsGroupBy | undefined,
  slowestN: number,
): Stats {
  if (rows.length === 0) return emptyStats();
  const t = index.table;
  const ts = t.columns.ts;
  const duration = t.columns.duration;
  const deltas: RollupDeltaMap = new Map();
  const errors = new Uint8Array(rows.length);
  rows.forEach((r, i) => {
    const view = rowView(t, r);
    foldIntoRollups(deltas, view, ts[r]!);
    if (isErrorEvent(view)) errors[i] = 1;
  });
  const stats = statsFromRollups(deltas.values(), groupBy);
  const first = Date.parse(stats.first_timestamp!);
  const last = Date.parse(stats.last_timestamp!);
  const width = bucketWidth(first, last);
  const buckets = new Map<number, { total: number; errors: number }>();
  const slowest: number[] = [];
  rows.forEach((r, i) => {
    const b = Math.floor(ts[r]! / width);
    let c = buckets.get(b);
    if (c === undefined) {
      c = { total: 0, errors: 0 };
      buckets.set(b, c);
    }
    c.total++;
    c.errors += errors[i]!;
    const d = duration[r]!;
    if (Number.isNaN(d) || slowestN === 0) return;
    if (slowest.length === slowestN && d <= duration[slowest[slowestN - 1]!]!) return;
    // longest first; an equal duration after the ones already there (trail order)
    let at = slowest.length;
    while (at > 0 && duration[slowest[at - 1]!]! < d) at--;
    slowest.splice(at, 0, r);
    if (slowest.length > slowestN) slowest.pop();
  });
  stats.timeline = fillTimeline(buckets, first, last, width);
  stats.timeline_bucket_ms = width;
  stats.slowest = slowest.map((r) => {
    const status = t.columns.status[r];
    return {
      event_id: t.eventId(r),
      run_id: t.strings[t.columns.run[r]!]!,
      name: t.strings[t.columns.name[r]!]!,
      duration_ms: duration[r]!,
      status: status === 0 ? null : status === 1 ? ('ok' as const) : ('error' as const),
      timestamp: new Date(ts[r]!).toISOString(),
    };
  });
  return stats;
}
