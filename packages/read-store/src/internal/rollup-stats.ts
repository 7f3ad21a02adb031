import { LatencySketch, type StatsRollup } from '@obs/store-format';
import type { GroupStats, Stats, StatsGroupBy } from '../read-store.js';
import { emptyStats } from './stats-accumulator.js';
import { sortedRecord } from './stats-math.js';

/** Counts and merged latency of one group key. */
interface SketchTally {
  total: number;
  ok: number;
  errors: number;
  latency: LatencySketch;
}

const KEY: Record<StatsGroupBy, (r: StatsRollup) => string | null> = {
  source: (r) => r.source,
  event_type: (r) => r.event_type,
  operation: (r) => r.operation,
  layer: (r) => r.layer,
  component: (r) => r.component,
  model: (r) => r.model,
};

/**
 * `stats` of the events the rollup rows cover (rows of any widths that do not overlap), all but the
 * timeline and the slowest events, which need finer data. Counts, tokens and cost are exact;
 * percentiles come from the merged sketches (within 1% of exact). Every row is all errors or none
 * (errors depend on status and type, both dimensions), so a row's timed errors are its timed count.
 */
export function statsFromRollups(rows: Iterable<StatsRollup>, groupBy: StatsGroupBy | undefined): Stats {
  const stats = emptyStats();
  const byType = new Map<string, number>();
  const bySource = new Map<string, number>();
  const latency = new Map<string, SketchTally>();
  const groups = new Map<string, SketchTally>();
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const r of rows) {
    if (r.event_count === 0) continue;
    const ok = r.status === 'ok';
    stats.total += r.event_count;
    if (ok) stats.successes += r.event_count;
    stats.failures += r.error_count;
    byType.set(r.event_type, (byType.get(r.event_type) ?? 0) + r.event_count);
    bySource.set(r.source, (bySource.get(r.source) ?? 0) + r.event_count);
    if (r.first_ts < first) first = r.first_ts;
    if (r.last_ts > last) last = r.last_ts;
    stats.tokens.prompt += r.prompt_tokens;
    stats.tokens.completion += r.completion_tokens;
    stats.tokens.total += r.total_tokens;
    stats.cost_usd += r.cost_usd;
    const timed = r.latency.count;
    if (timed > 0) add(latency, r.operation, timed, ok ? timed : 0, r.error_count > 0 ? timed : 0, r.latency);
    if (groupBy !== undefined) {
      const key = KEY[groupBy](r);
      if (key !== null) add(groups, key, r.event_count, ok ? r.event_count : 0, r.error_count, r.latency);
    }
  }
  if (stats.total === 0) return stats;
  stats.by_source = sortedRecord(bySource);
  stats.by_type = sortedRecord(byType);
  stats.latency = toGroupStats(latency);
  stats.first_timestamp = new Date(first).toISOString();
  stats.last_timestamp = new Date(last).toISOString();
  if (groupBy !== undefined) stats.groups = toGroupStats(groups);
  return stats;
}

function add(
  map: Map<string, SketchTally>,
  key: string,
  total: number,
  ok: number,
  errors: number,
  latency: LatencySketch,
): void {
  let t = map.get(key);
  if (t === undefined) {
    t = { total: 0, ok: 0, errors: 0, latency: new LatencySketch() };
    map.set(key, t);
  }
  t.total += total;
  t.ok += ok;
  t.errors += errors;
  t.latency.merge(latency);
}

/** Tallies as `GroupStats` rows, ordered as `stats-math`'s `toGroupStats` orders them. */
function toGroupStats(tallies: ReadonlyMap<string, SketchTally>): GroupStats[] {
  const rows: GroupStats[] = [];
  for (const [key, t] of tallies) {
    rows.push({
      key,
      total: t.total,
      ok: t.ok,
      errors: t.errors,
      p50_ms: t.latency.percentile(50),
      p95_ms: t.latency.percentile(95),
      p99_ms: t.latency.percentile(99),
    });
  }
  return rows.sort(
    (a, b) => (b.p95_ms ?? -1) - (a.p95_ms ?? -1) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  );
}
