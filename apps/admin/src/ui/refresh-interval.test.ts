import { describe, expect, it } from 'vitest';
import { treeRefreshMs } from './refresh-interval.js';

describe('treeRefreshMs', () => {
  it('refreshes small trees every second and waits longer as a tree grows, up to 30 s', () => {
    expect(treeRefreshMs(0)).toBe(1000);
    expect(treeRefreshMs(5000)).toBe(1000);
    expect(treeRefreshMs(10_000)).toBe(2000);
    expect(treeRefreshMs(50_000)).toBe(10_000);
    expect(treeRefreshMs(100_000)).toBe(20_000);
    expect(treeRefreshMs(10_000_000)).toBe(30_000);
  });

  it('treats a count that is not a number as a small tree', () => {
    expect(treeRefreshMs(Number.NaN)).toBe(1000);
    expect(treeRefreshMs(-5)).toBe(1000);
    expect(treeRefreshMs(Number.POSITIVE_INFINITY)).toBe(1000);
  });
});
