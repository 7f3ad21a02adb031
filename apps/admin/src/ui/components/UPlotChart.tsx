import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

const HEIGHT = 220;

/** A chart element with its uPlot instance, which tests and devtools read what is drawn from. */
export type ChartElement = HTMLDivElement & { uplot?: uPlot };

/**
 * A uPlot chart sized to its container's width. `options` is called again (and the chart rebuilt)
 * when `data` changes; resizing only resizes.
 */
export function UPlotChart({
  name,
  data,
  options,
}: {
  name: string;
  data: uPlot.AlignedData;
  options: (width: number, height: number) => uPlot.Options;
}) {
  const host = useRef<ChartElement>(null);
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const width = () => Math.max(200, el.clientWidth);
    const chart = new uPlot(options(width(), HEIGHT), data, el);
    el.uplot = chart;
    const observer = new ResizeObserver(() => chart.setSize({ width: width(), height: HEIGHT }));
    observer.observe(el);
    return () => {
      observer.disconnect();
      chart.destroy();
      delete el.uplot;
    };
  }, [data, options]);
  return <div class="uchart" ref={host} data-chart={name} role="img" aria-label={name} />;
}
