import type { Stats } from '@obs/read-store';
import { useState } from 'preact/hooks';
import { formatCost, formatCount, formatDuration, formatPercent, formatTime } from '../format.js';
import { href } from '../router.js';
import { useApi } from '../use-api.js';
import { CountBars, LatencyBars } from './charts.js';
import { ErrorBox, Id, Loading, Metric, PageHeader, StatusBadge } from './common.js';
import { RANGES, rangeStart } from './ranges.js';
import { ErrorRate, EventsOverTime } from './TimeCharts.js';

const GROUPS = ['source', 'operation', 'event_type', 'model', 'layer', 'component'] as const;

/** Counts, error rate, latency percentiles, tokens and cost, with charts; filter by range and source. */
export function StatsPage() {
  const [range, setRange] = useState({ key: 'all', from: undefined as string | undefined });
  const [source, setSource] = useState('');
  const [draftSource, setDraftSource] = useState('');
  const [groupBy, setGroupBy] = useState<(typeof GROUPS)[number]>('source');
  const stats = useApi<Stats>(['stats'], { from: range.from, source, group_by: groupBy, slowest: 10 });

  return (
    <section>
      <PageHeader title="Stats" sub="Everything the store holds, or the chosen range">
        <button type="button" class="secondary" onClick={stats.reload}>
          Refresh
        </button>
      </PageHeader>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          setSource(draftSource.trim());
        }}
      >
        <label>
          Range
          <select
            value={range.key}
            onChange={(e) => {
              const key = (e.target as HTMLSelectElement).value;
              setRange({ key, from: rangeStart(key) });
            }}
          >
            {RANGES.map((r) => (
              <option key={r.key} value={r.key}>
                {r.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Source
          <input
            value={draftSource}
            placeholder="any"
            onInput={(e) => setDraftSource((e.target as HTMLInputElement).value)}
          />
        </label>
        <label>
          Group by
          <select
            value={groupBy}
            onChange={(e) => setGroupBy((e.target as HTMLSelectElement).value as (typeof GROUPS)[number])}
          >
            {GROUPS.map((g) => (
              <option key={g} value={g}>
                {g.replace('_', ' ')}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">Apply</button>
      </form>
      {stats.error ? <ErrorBox error={stats.error} /> : null}
      {!stats.data && !stats.error && <Loading what="Computing stats" />}
      {stats.data && <StatsBody stats={stats.data} groupBy={groupBy} />}
    </section>
  );
}

function StatsBody({ stats: s, groupBy }: { stats: Stats; groupBy: string }) {
  return (
    <>
      <div class="metrics">
        <Metric label="Events" value={formatCount(s.total)} />
        <Metric label="Succeeded" value={formatCount(s.successes)} tone="ok" />
        <Metric label="Failed" value={formatCount(s.failures)} tone={s.failures > 0 ? 'error' : undefined} />
        <Metric label="Error rate" value={formatPercent(s.failures, s.successes + s.failures)} />
        <Metric label="Tokens" value={formatCount(s.tokens.total)} />
        <Metric label="Cost" value={formatCost(s.cost_usd)} />
      </div>
      <div class="muted small range-note">
        {formatTime(s.first_timestamp)} → {formatTime(s.last_timestamp)}
      </div>
      <div class="panels">
        <div class="panel wide">
          <h3>Events over time</h3>
          <EventsOverTime stats={s} />
        </div>
        <div class="panel wide">
          <h3>Error rate</h3>
          <ErrorRate stats={s} />
        </div>
        <div class="panel">
          <h3>Latency by operation</h3>
          <LatencyBars groups={s.latency} />
        </div>
        <div class="panel">
          <h3>Events by source</h3>
          <CountBars counts={s.by_source} />
        </div>
        <div class="panel">
          <h3>Events by type</h3>
          <CountBars counts={s.by_type} />
        </div>
        <div class="panel">
          <h3>Tokens and cost</h3>
          <TokenSplit prompt={s.tokens.prompt} completion={s.tokens.completion} cost={s.cost_usd} />
        </div>
      </div>
      {s.groups && (
        <div class="panel">
          <h3>By {groupBy.replace('_', ' ')}</h3>
          <GroupTable groups={s.groups} />
        </div>
      )}
      <div class="panel">
        <h3>Slowest operations</h3>
        {s.slowest.length === 0 ? (
          <div class="empty small">No timed events.</div>
        ) : (
          <table class="data-table">
            <thead>
              <tr>
                <th>Operation</th>
                <th>Status</th>
                <th>Run</th>
                <th>When</th>
                <th class="num">Duration</th>
              </tr>
            </thead>
            <tbody>
              {s.slowest.map((e) => (
                <tr key={e.event_id}>
                  <td>
                    <a href={href('events', e.event_id)}>{e.name}</a>
                  </td>
                  <td>
                    <StatusBadge status={e.status} />
                  </td>
                  <td>
                    <a href={href('runs', e.run_id)}>
                      <Id value={e.run_id} />
                    </a>
                  </td>
                  <td>
                    <span class="mono small">{formatTime(e.timestamp)}</span>
                  </td>
                  <td class="num">{formatDuration(e.duration_ms)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </>
  );
}

function TokenSplit({ prompt, completion, cost }: { prompt: number; completion: number; cost: number }) {
  const total = prompt + completion;
  return (
    <div class="tokens">
      <div class="token-bar" title={`prompt ${prompt} · completion ${completion}`}>
        <span class="tk-prompt" style={{ width: total ? `${(prompt / total) * 100}%` : '0%' }} />
        <span class="tk-completion" style={{ width: total ? `${(completion / total) * 100}%` : '0%' }} />
      </div>
      <dl class="token-legend">
        <dt>
          <span class="lg lg-prompt" /> Prompt
        </dt>
        <dd>{formatCount(prompt)}</dd>
        <dt>
          <span class="lg lg-completion" /> Completion
        </dt>
        <dd>{formatCount(completion)}</dd>
        <dt>Cost</dt>
        <dd>{formatCost(cost)}</dd>
        <dt>Cost per 1k tokens</dt>
        <dd>{total ? formatCost((cost / total) * 1000) : '—'}</dd>
      </dl>
    </div>
  );
}

function GroupTable({ groups }: { groups: NonNullable<Stats['groups']> }) {
  if (groups.length === 0) return <div class="empty small">No events.</div>;
  return (
    <table class="data-table">
      <thead>
        <tr>
          <th>Key</th>
          <th class="num">Events</th>
          <th class="num">OK</th>
          <th class="num">Errors</th>
          <th class="num">Error rate</th>
          <th class="num">p50</th>
          <th class="num">p95</th>
          <th class="num">p99</th>
        </tr>
      </thead>
      <tbody>
        {groups.map((g) => (
          <tr key={g.key}>
            <td>{g.key}</td>
            <td class="num">{formatCount(g.total)}</td>
            <td class="num">{formatCount(g.ok)}</td>
            <td class={`num${g.errors > 0 ? ' text-error' : ''}`}>{formatCount(g.errors)}</td>
            <td class="num">{formatPercent(g.errors, g.ok + g.errors)}</td>
            <td class="num">{formatDuration(g.p50_ms)}</td>
            <td class="num">{formatDuration(g.p95_ms)}</td>
            <td class="num">{formatDuration(g.p99_ms)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
