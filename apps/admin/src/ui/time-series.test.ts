import { describe, expect, it } from 'vitest';
import { bucketMs, errorShare, niceMax, stackedEvents } from './time-series.js';

const timeline = [
  { bucket: '2026-01-01T00:00:00.000Z', total: 10, errors: 4 },
  { bucket: '2026-01-01T00:01:00.000Z', total: 0, errors: 0 },
  { bucket: '2026-01-01T00:02:00.000Z', total: 3, errors: 3 },
];

describe('time series data', () => {
  it('stacks events without an error under the errors, the top at the total', () => {
    const t0 = Date.UTC(2026, 0, 1);
    expect(stackedEvents(timeline)).toEqual([
      [t0, t0 + 60_000, t0 + 120_000],
      [6, 0, 0],
      [10, 0, 3],
    ]);
  });

  it('gives the error share per bucket and none for an empty bucket', () => {
    expect(errorShare(timeline)[1]).toEqual([0.4, null, 1]);
    expect(stackedEvents([])).toEqual([[], [], []]);
  });

  it('takes the bucket width from the store, else from the buckets, else an hour', () => {
    expect(bucketMs({ timeline, timeline_bucket_ms: 30_000 })).toBe(30_000);
    expect(bucketMs({ timeline })).toBe(60_000);
    expect(bucketMs({ timeline: [{ bucket: 'not a date', total: 1, errors: 0 }] })).toBe(3_600_000);
    expect(bucketMs({ timeline, timeline_bucket_ms: -5 })).toBe(60_000);
  });

  it('rounds an axis maximum up to 1, 2 or 5 times a power of ten', () => {
    expect([0, -3, 0.03, 1, 7, 11, 200, 201].map(niceMax)).toEqual([1, 1, 0.05, 1, 10, 20, 200, 500]);
  });
});
