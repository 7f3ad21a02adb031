import { describe, expect, it } from 'vitest';
import { rollupCover } from './rollup-cover.js';

const M = 60_000;
const H = 60 * M;
const D = 24 * H;

describe('rollupCover', () => {
  it('covers a range with whole days, then hours, then minutes at its edges', () => {
    expect(rollupCover(D - 2 * M, 3 * D + H + 5 * M)).toEqual([
      { width: M, from: D - 2 * M, to: D },
      { width: D, from: D, to: 3 * D },
      { width: H, from: 3 * D, to: 3 * D + H },
      { width: M, from: 3 * D + H, to: 3 * D + H + 5 * M },
    ]);
  });

  it('uses only the day rows for an unbounded range, and nothing for an empty one', () => {
    expect(rollupCover(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY)).toEqual([
      { width: D, from: Number.NEGATIVE_INFINITY, to: Number.POSITIVE_INFINITY },
    ]);
    expect(rollupCover(5 * M, 5 * M)).toEqual([]);
    expect(rollupCover(6 * M, 5 * M)).toEqual([]);
  });

  it('uses only widths that divide a timeline bucket, so every row fits in one bucket', () => {
    expect(rollupCover(0, 2 * D, 15 * M)).toEqual([{ width: M, from: 0, to: 2 * D }]);
    expect(rollupCover(0, D + 30 * M, 6 * H)).toEqual([
      { width: H, from: 0, to: D },
      { width: M, from: D, to: D + 30 * M },
    ]);
  });

  it('tiles the range exactly: segments are contiguous, aligned to their width (property over many ranges)', () => {
    for (let lo = 0; lo < 3 * D; lo += 7 * H + 13 * M) {
      for (const len of [M, 59 * M, H, 25 * H, 2 * D + 1 * M]) {
        const segments = rollupCover(lo, lo + len);
        let at = lo;
        for (const s of segments) {
          expect(s.from).toBe(at);
          expect(s.from % s.width).toBe(0);
          expect(s.to % s.width).toBe(0);
          at = s.to;
        }
        expect(at).toBe(lo + len);
      }
    }
  });
});
