import type { GroupStats, Stats } from '../read-store.js';

/** Nearest-rank percentile of an ascending array; null when empty. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Counts and timings collected for one group key. */
export interface GroupTally {
  total: number;
  ok: number;
  errors: number;
  durations: number[];
}

/** Adds one event to the tally of its group. */
export function addToTally(
  map: Map<string, GroupTally>,
  key: string,
  duration: number | null,
  ok: boolean,
  error: boolean,
): void {
  let t = map.get(key);
  if (t === undefined) {
    t = { total: 0, ok: 0, errors: 0, durations: [] };
    map.set(key, t);
  }
  t.total++;
  if (ok) t.ok++;
  if (error) t.errors++;
  if (duration !== null) t.durations.push(duration);
}

/** Tallies as `GroupStats` rows: slowest p95 first, then by key. */
export function toGroupStats(tallies: ReadonlyMap<string, GroupTally>): GroupStats[] {
  const rows: GroupStats[] = [];
  for (const [key, t] of tallies) {
    const sorted = Float64Array.from(t.durations).sort();
    const d = Array.from(sorted);
    rows.push({
      key,
      total: t.total,
      ok: t.ok,
      errors: t.errors,
      p50_ms: percentile(d, 50),
      p95_ms: percentile(d, 95),
      p99_ms: percentile(d, 99),
    });
  }
  return rows.sort(
    (a, b) => (b.p95_ms ?? -1) - (a.p95_ms ?? -1) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  );
}

const SECOND = 1000;
const BUCKETS = [
  1, 5, 10, 30, 60, 300, 900, 1800, 3600, 10_800, 21_600, 43_200, 86_400, 604_800, 2_592_000, 31_536_000,
].map((s) => s * SECOND);

/** Most timeline buckets `stats` aims for. */
export const MAX_BUCKETS = 120;

/** The bucket width (ms) that covers `[first, last]` in at most {@link MAX_BUCKETS} epoch-aligned buckets. */
export function bucketWidth(first: number, last: number): number {
  for (const width of BUCKETS) {
    if (Math.floor(last / width) - Math.floor(first / width) + 1 <= MAX_BUCKETS) return width;
  }
  return BUCKETS[BUCKETS.length - 1]!;
}

/** Every bucket from the first to the last event's, empty ones included, oldest first. */
export function fillTimeline(
  counts: ReadonlyMap<number, { total: number; errors: number }>,
  first: number,
  last: number,
  width: number,
): Stats['timeline'] {
  const out: Stats['timeline'] = [];
  for (let b = Math.floor(first / width); b <= Math.floor(last / width); b++) {
    const c = counts.get(b);
    out.push({ bucket: new Date(b * width).toISOString(), total: c?.total ?? 0, errors: c?.errors ?? 0 });
  }
  return out;
}

/** Object with keys in sorted order, for output that is the same on every backend. */
export function sortedRecord(map: ReadonlyMap<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of [...map.keys()].sort()) out[key] = map.get(key)!;
  return out;
}
