/// <reference lib="dom" />
// probeStackedBars runs in the browser (page.evaluate), hence the DOM types and no imports.
import type uPlot from 'uplot';

/** What one bucket's column of the stacked chart shows, read off the canvas. */
export interface BucketProbe {
  x: number;
  /** uPlot's data for the bucket: events without an error, and the stack's top. */
  ok: number;
  top: number;
  /** Canvas rows (device pixels) of the baseline, the ok part's top and the column's top. */
  baseY: number;
  okY: number;
  topY: number;
  /** Colour names of the pixels sampled just inside each edge of each part; null: not sampled. */
  okBottom: string | null;
  okTop: string | null;
  errorBottom: string | null;
  errorTop: string | null;
  above: string;
}

/**
 * Reads a stacked-bar uPlot chart: for each bucket, its data, where its values fall on the canvas
 * (`valToPos`), and the colour of the pixels drawn there, named `ok`, `error` or `other`.
 */
export function probeStackedBars(arg: { selector: string; okVar: string; errorVar: string }): BucketProbe[] {
  const el = document.querySelector(arg.selector) as (HTMLElement & { uplot?: uPlot }) | null;
  const u = el?.uplot;
  if (!u) throw new Error(`no uPlot chart at ${arg.selector}`);
  const rgb = (cssVar: string) => {
    const c = document.createElement('canvas').getContext('2d')!;
    c.fillStyle = getComputedStyle(document.documentElement).getPropertyValue(cssVar).trim();
    c.fillRect(0, 0, 1, 1);
    return Array.from(c.getImageData(0, 0, 1, 1).data.slice(0, 3));
  };
  const colours = { ok: rgb(arg.okVar), error: rgb(arg.errorVar) };
  const name = (x: number, y: number) => {
    const px = Array.from(u.ctx.getImageData(Math.round(x), Math.round(y), 1, 1).data.slice(0, 3));
    for (const [key, c] of Object.entries(colours))
      if (c.every((v, i) => Math.abs(v - px[i]!) <= 8)) return key;
    return 'other';
  };
  const xs = u.data[0];
  const step = xs.length > 1 ? xs[1]! - xs[0]! : 0;
  const baseY = u.valToPos(0, 'y', true);
  const inside = 2;
  return Array.from(xs, (x, i) => {
    const ok = u.data[1]![i]!;
    const top = u.data[2]![i]!;
    // bars are left-aligned on the bucket start and 0.8 of its width: sample their middle
    const cx = u.valToPos(x + step * 0.4, 'x', true);
    const okY = u.valToPos(ok, 'y', true);
    const topY = u.valToPos(top, 'y', true);
    const sample = (from: number, to: number, y: number) => (from - to > 2 * inside + 1 ? name(cx, y) : null);
    return {
      x,
      ok,
      top,
      baseY,
      okY,
      topY,
      okBottom: sample(baseY, okY, baseY - inside),
      okTop: sample(baseY, okY, okY + inside),
      errorBottom: sample(okY, topY, okY - inside),
      errorTop: sample(okY, topY, topY + inside),
      above: name(cx, topY - inside - 1),
    };
  });
}
