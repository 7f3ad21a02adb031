import type { Stats } from '@obs/read-store';

/** uPlot's aligned data: x values (epoch ms), then one array per series. */
export type AlignedData = [number[], ...(number | null)[][]];

/**
 * Events per bucket as stacked layers, in uPlot's aligned form: bucket starts, the events without
 * an error (drawn from the baseline), and the stack's top, the bucket's total (errors are the band
 * between the two).
 */
export function stackedEvents(timeline: Stats['timeline']): AlignedData {
  return [
    timeline.map((b) => Date.parse(b.bucket)),
    timeline.map((b) => b.total - b.errors),
    timeline.map((b) => b.total),
  ];
}

/** The share of each bucket's events that are errors; `null` for a bucket without events. */
export function errorShare(timeline: Stats['timeline']): AlignedData {
  return [
    timeline.map((b) => Date.parse(b.bucket)),
    timeline.map((b) => (b.total === 0 ? null : b.errors / b.total)),
  ];
}

/** The width of a timeline's buckets: the store's own figure, else the gap between the first two. */
export function bucketMs(stats: Pick<Stats, 'timeline' | 'timeline_bucket_ms'>): number {
  if (stats.timeline_bucket_ms !== undefined && stats.timeline_bucket_ms > 0) return stats.timeline_bucket_ms;
  const [a, b] = stats.timeline;
  const gap = a && b ? Date.parse(b.bucket) - Date.parse(a.bucket) : Number.NaN;
  return Number.isFinite(gap) && gap > 0 ? gap : 3_600_000;
}

/** A round axis maximum at or above `max` (1, 2, 5 × 10^n). */
export function niceMax(max: number): number {
  if (max <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 5, 10]) if (m * p >= max) return m * p;
  return 10 * p;
}
