import { formatDuration } from '../format.js';

const W = 800;
const H = 200;
const PAD = { left: 44, right: 12, top: 10, bottom: 26 };

/** A round axis maximum at or above `max` (1, 2, 5 × 10^n). */
export function niceMax(max: number): number {
  if (max <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 5, 10]) if (m * p >= max) return m * p;
  return 10 * p;
}

/** Labels for about `count` of `n` evenly spaced x positions. */
function labelEvery(n: number, count = 6): number {
  return Math.max(1, Math.ceil(n / count));
}

/** A bucket's label, as precise as the buckets are apart (seconds, minutes or days). */
function bucketLabel(bucket: string, stepMs: number): string {
  const d = new Date(bucket);
  if (Number.isNaN(d.getTime())) return bucket;
  const p = (x: number) => String(x).padStart(2, '0');
  const day = `${p(d.getMonth() + 1)}-${p(d.getDate())}`;
  if (stepMs >= 86_400_000) return day;
  const time = `${p(d.getHours())}:${p(d.getMinutes())}`;
  return stepMs < 60_000 ? `${time}:${p(d.getSeconds())}` : `${day} ${time}`;
}

/** Labels for each bucket of a timeline. */
function bucketLabels(buckets: { bucket: string }[]): string[] {
  const step =
    buckets.length > 1 ? Date.parse(buckets[1]!.bucket) - Date.parse(buckets[0]!.bucket) : 3_600_000;
  return buckets.map((b) => bucketLabel(b.bucket, Number.isFinite(step) ? step : 3_600_000));
}

function YGrid({ max, format }: { max: number; format: (v: number) => string }) {
  const plotH = H - PAD.top - PAD.bottom;
  return (
    <g class="grid">
      {[0, 0.5, 1].map((t) => {
        const y = PAD.top + plotH * (1 - t);
        return (
          <g key={t}>
            <line x1={PAD.left} x2={W - PAD.right} y1={y} y2={y} />
            <text x={PAD.left - 6} y={y + 4} text-anchor="end">
              {format(max * t)}
            </text>
          </g>
        );
      })}
    </g>
  );
}

/** Events per time bucket as stacked columns: successes below, errors on top. */
export function EventsOverTime({
  buckets,
}: {
  buckets: { bucket: string; total: number; errors: number }[];
}) {
  if (buckets.length === 0) return <div class="empty small">No events in range.</div>;
  const max = niceMax(Math.max(...buckets.map((b) => b.total)));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const step = plotW / buckets.length;
  const barW = Math.max(1, step * 0.8);
  const every = labelEvery(buckets.length);
  const labels = bucketLabels(buckets);
  return (
    <svg class="chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-label="events over time">
      <YGrid max={max} format={(v) => String(Math.round(v))} />
      {buckets.map((b, i) => {
        const x = PAD.left + i * step + (step - barW) / 2;
        const hTotal = (b.total / max) * plotH;
        const hErr = (b.errors / max) * plotH;
        return (
          <g key={b.bucket}>
            <title>{`${labels[i]}: ${b.total} events, ${b.errors} errors`}</title>
            <rect class="c-ok" x={x} y={PAD.top + plotH - hTotal} width={barW} height={hTotal - hErr} />
            {b.errors > 0 && (
              <rect class="c-error" x={x} y={PAD.top + plotH - hTotal} width={barW} height={hErr} />
            )}
            {i % every === 0 && (
              <text class="x-label" x={x + barW / 2} y={H - 8} text-anchor="middle">
                {labels[i]}
              </text>
            )}
          </g>
        );
      })}
    </svg>
  );
}

/** The share of errors per time bucket, as a line over an area. */
export function ErrorRate({ buckets }: { buckets: { bucket: string; total: number; errors: number }[] }) {
  if (buckets.length === 0) return <div class="empty small">No events in range.</div>;
  const rates = buckets.map((b) => (b.total === 0 ? 0 : b.errors / b.total));
  const max = Math.min(1, niceMax(Math.max(0.01, ...rates)));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const x = (i: number) => PAD.left + (buckets.length === 1 ? plotW / 2 : (i / (buckets.length - 1)) * plotW);
  const y = (r: number) => PAD.top + plotH * (1 - r / max);
  const line = rates.map((r, i) => `${i === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${y(r).toFixed(1)}`).join(' ');
  const area = `${line} L${x(rates.length - 1).toFixed(1)},${PAD.top + plotH} L${x(0).toFixed(1)},${PAD.top + plotH} Z`;
  const every = labelEvery(buckets.length);
  const labels = bucketLabels(buckets);
  return (
    <svg class="chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-label="error rate over time">
      <YGrid max={max} format={(v) => `${(v * 100).toFixed(v * 100 < 10 && v > 0 ? 1 : 0)}%`} />
      <path class="c-error-area" d={area} />
      <path class="c-error-line" d={line} />
      {rates.map((r, i) => (
        <g key={buckets[i]!.bucket}>
          <circle class="c-error-dot" cx={x(i)} cy={y(r)} r={2.5}>
            <title>{`${labels[i]}: ${(r * 100).toFixed(1)}% errors`}</title>
          </circle>
          {i % every === 0 && (
            <text class="x-label" x={x(i)} y={H - 8} text-anchor="middle">
              {labels[i]}
            </text>
          )}
        </g>
      ))}
    </svg>
  );
}

/** Horizontal bars of counts by key, largest first. */
export function CountBars({ counts, limit = 12 }: { counts: Record<string, number>; limit?: number }) {
  const rows = Object.entries(counts)
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit);
  if (rows.length === 0) return <div class="empty small">Nothing to show.</div>;
  const max = Math.max(...rows.map((r) => r[1]));
  return (
    <div class="hbars">
      {rows.map(([key, value]) => (
        <div class="hbar-row" key={key}>
          <span class="hbar-label" title={key}>
            {key}
          </span>
          <span class="hbar-track">
            <span class="hbar-fill" style={{ width: `${(value / max) * 100}%` }} />
          </span>
          <span class="hbar-value">{value.toLocaleString('en-US')}</span>
        </div>
      ))}
    </div>
  );
}

/** p50 / p95 / p99 per group as nested bars on one scale. */
export function LatencyBars({
  groups,
}: {
  groups: {
    key: string;
    total: number;
    p50_ms: number | null;
    p95_ms: number | null;
    p99_ms: number | null;
  }[];
}) {
  const rows = groups.filter((g) => g.p99_ms !== null || g.p50_ms !== null).slice(0, 15);
  if (rows.length === 0) return <div class="empty small">No timed events.</div>;
  const max = Math.max(...rows.map((g) => g.p99_ms ?? g.p95_ms ?? g.p50_ms ?? 0), 1);
  const pct = (v: number | null) => `${((v ?? 0) / max) * 100}%`;
  return (
    <div class="hbars latency">
      <div class="legend">
        <span class="lg lg-p50">p50</span>
        <span class="lg lg-p95">p95</span>
        <span class="lg lg-p99">p99</span>
      </div>
      {rows.map((g) => (
        <div class="hbar-row" key={g.key}>
          <span class="hbar-label" title={g.key}>
            {g.key}
          </span>
          <span
            class="hbar-track"
            title={`p50 ${formatDuration(g.p50_ms)} · p95 ${formatDuration(g.p95_ms)} · p99 ${formatDuration(g.p99_ms)} · ${g.total} events`}
          >
            <span class="hbar-fill p99" style={{ width: pct(g.p99_ms) }} />
            <span class="hbar-fill p95" style={{ width: pct(g.p95_ms) }} />
            <span class="hbar-fill p50" style={{ width: pct(g.p50_ms) }} />
          </span>
          <span class="hbar-value mono small">
            {formatDuration(g.p50_ms)} / {formatDuration(g.p95_ms)} / {formatDuration(g.p99_ms)}
          </span>
        </div>
      ))}
    </div>
  );
}
