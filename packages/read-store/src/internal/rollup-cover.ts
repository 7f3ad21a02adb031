import { ROLLUP_TIERS_MS } from '@obs/store-format';

/** Rollup rows of one width whose `bucket_ts` lies in `[from, to)`. */
export interface RollupSegment {
  width: number;
  from: number;
  to: number;
}

const down = (t: number, w: number) => (Number.isFinite(t) ? Math.floor(t / w) * w : t);
const up = (t: number, w: number) => (Number.isFinite(t) ? Math.ceil(t / w) * w : t);

/**
 * Segments of rollup rows that together cover `[lo, hi)` exactly and with the fewest rows: whole
 * days, then whole hours on either side, then minutes. `lo` and `hi` are multiples of the finest
 * width or ±Infinity; only widths that divide `maxWidth` are used (so each row fits in one bucket of
 * that width, for timelines).
 */
export function rollupCover(lo: number, hi: number, maxWidth = Number.POSITIVE_INFINITY): RollupSegment[] {
  const widths = ROLLUP_TIERS_MS.filter(
    (w) => w === ROLLUP_TIERS_MS[0] || maxWidth % w === 0 || maxWidth === Number.POSITIVE_INFINITY,
  );
  const cover = (from: number, to: number, i: number): RollupSegment[] => {
    if (!(from < to)) return [];
    const width = widths[i]!;
    if (i === 0) return [{ width, from, to }];
    const a = up(from, width);
    const b = down(to, width);
    if (!(a < b)) return cover(from, to, i - 1);
    return [...cover(from, a, i - 1), { width, from: a, to: b }, ...cover(b, to, i - 1)];
  };
  return cover(lo, hi, widths.length - 1);
}
