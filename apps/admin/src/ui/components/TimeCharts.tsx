import type { Stats } from '@obs/read-store';
import { useMemo } from 'preact/hooks';
import uPlot from 'uplot';
import { bucketMs, errorShare, niceMax, stackedEvents } from '../time-series.js';
import { UPlotChart } from './UPlotChart.js';

type Timeline = Pick<Stats, 'timeline' | 'timeline_bucket_ms'>;

/** The value of a CSS custom property of the page (canvas drawing needs real colours). */
const cssVar = (name: string) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

function axes(format?: (v: number) => string): uPlot.Axis[] {
  const stroke = cssVar('--muted');
  const grid = { stroke: cssVar('--border'), width: 1 };
  const ticks = { stroke: cssVar('--border'), width: 1 };
  return [
    { stroke, grid, ticks },
    { stroke, grid, ticks, size: 56, ...(format && { values: (_u, splits) => splits.map(format) }) },
  ];
}

const cursor: uPlot.Cursor = { drag: { x: false, y: false }, points: { show: false } };

/** Events per time bucket as stacked columns: events without an error from the baseline, errors on top. */
export function EventsOverTime({ stats }: { stats: Timeline }) {
  const data = useMemo(() => stackedEvents(stats.timeline), [stats.timeline]);
  const options = useMemo(() => {
    const step = bucketMs(stats);
    const bars = uPlot.paths.bars!({ size: [0.8, Number.POSITIVE_INFINITY], align: 1 });
    const ok = cssVar('--bar-ok');
    const error = cssVar('--error');
    return (width: number, height: number): uPlot.Options => ({
      width,
      height,
      ms: 1,
      cursor,
      scales: {
        x: { time: true, range: (_u, min, max) => [min, max + step] },
        y: { range: (_u, _min, max) => [0, niceMax(max)] },
      },
      axes: axes((v) => String(Math.round(v))),
      series: [
        {},
        { label: 'without error', fill: ok, stroke: ok, width: 0, paths: bars, points: { show: false } },
        {
          label: 'errors',
          fill: error,
          stroke: error,
          width: 0,
          paths: bars,
          points: { show: false },
          value: (u, v, _s, i) => (v === null || i === null ? '—' : String(v - (u.data[1]?.[i] ?? 0))),
        },
      ],
      bands: [{ series: [2, 1] }],
    });
  }, [stats]);
  if (stats.timeline.length === 0) return <div class="empty small">No events in range.</div>;
  return <UPlotChart name="events over time" data={data} options={options} />;
}

/** The share of each bucket's events that are errors, as a line over an area. */
export function ErrorRate({ stats }: { stats: Timeline }) {
  const data = useMemo(() => errorShare(stats.timeline), [stats.timeline]);
  const options = useMemo(() => {
    const step = bucketMs(stats);
    const line = cssVar('--error');
    const area = cssVar('--error-soft');
    const percent = (v: number) => `${(v * 100).toFixed(v > 0 && v < 0.1 ? 1 : 0)}%`;
    return (width: number, height: number): uPlot.Options => ({
      width,
      height,
      ms: 1,
      cursor,
      scales: {
        x: { time: true, range: (_u, min, max) => [min, max + step] },
        y: { range: (_u, _min, max) => [0, Math.min(1, niceMax(Math.max(0.01, max)))] },
      },
      axes: axes(percent),
      series: [
        {},
        {
          label: 'errors / events',
          stroke: line,
          fill: area,
          width: 2,
          points: { show: true, size: 5, fill: line },
          value: (_u, v) => (v === null ? '—' : percent(v)),
        },
      ],
    });
  }, [stats]);
  if (stats.timeline.length === 0) return <div class="empty small">No events in range.</div>;
  return <UPlotChart name="error rate over time" data={data} options={options} />;
}
