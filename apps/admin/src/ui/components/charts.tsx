import { formatDuration } from '../format.js';

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
