import type { Page, RunSummary } from '@obs/read-store';
import { useState } from 'preact/hooks';
import { formatAgo, formatCost, formatCount, formatDuration, formatTime } from '../format.js';
import { href } from '../router.js';
import { useApi } from '../use-api.js';
import { ErrorBox, Id, Loading, PageHeader, Pager, StatusBadge } from './common.js';
import { RANGES, rangeStart } from './ranges.js';

const STATUSES = ['', 'running', 'success', 'failure', 'cancelled', 'timeout'];
const PAGE_SIZE = 50;

/** Runs, newest first: filter by status, source, time range and run id; cursor pages. */
export function RunsPage({ sessionId }: { sessionId?: string }) {
  const [status, setStatus] = useState('');
  const [source, setSource] = useState('');
  const [search, setSearch] = useState('');
  const [range, setRange] = useState({ key: 'all', from: undefined as string | undefined });
  const [draft, setDraft] = useState({ search: '', source: '' });
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const page = cursors.length - 1;
  const runs = useApi<Page<RunSummary>>(['runs'], {
    status,
    source,
    search,
    session_id: sessionId,
    from: range.from,
    cursor: cursors[page],
    limit: PAGE_SIZE,
  });
  const resetPaging = () => setCursors([undefined]);

  return (
    <section>
      <PageHeader title="Runs" sub="Agent runs, newest first">
        <button type="button" class="secondary" onClick={runs.reload}>
          Refresh
        </button>
      </PageHeader>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          setSearch(draft.search.trim());
          setSource(draft.source.trim());
          resetPaging();
        }}
      >
        <label>
          Status
          <select
            value={status}
            onChange={(e) => {
              setStatus((e.target as HTMLSelectElement).value);
              resetPaging();
            }}
          >
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s || 'any'}
              </option>
            ))}
          </select>
        </label>
        <label>
          Started
          <select
            value={range.key}
            onChange={(e) => {
              const key = (e.target as HTMLSelectElement).value;
              setRange({ key, from: rangeStart(key) });
              resetPaging();
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
            value={draft.source}
            placeholder="any"
            onInput={(e) => setDraft({ ...draft, source: (e.target as HTMLInputElement).value })}
          />
        </label>
        <label class="grow">
          Run id contains
          <input
            type="search"
            name="search"
            value={draft.search}
            placeholder="search run ids"
            onInput={(e) => setDraft({ ...draft, search: (e.target as HTMLInputElement).value })}
          />
        </label>
        <button type="submit">Apply</button>
      </form>
      {runs.error ? <ErrorBox error={runs.error} /> : null}
      {!runs.data && !runs.error && <Loading what="Loading runs" />}
      {runs.data && (
        <>
          <RunsTable runs={runs.data.items} />
          <Pager
            page={page}
            count={runs.data.items.length}
            hasNext={runs.data.next_cursor !== null}
            onPrev={() => setCursors(cursors.slice(0, -1))}
            onNext={() => runs.data?.next_cursor && setCursors([...cursors, runs.data.next_cursor])}
          />
        </>
      )}
    </section>
  );
}

/** The runs table (also used by the session view). */
export function RunsTable({ runs, showSession = true }: { runs: RunSummary[]; showSession?: boolean }) {
  if (runs.length === 0) return <div class="empty">No runs match.</div>;
  return (
    <div class="table-wrap">
      <table class="data-table runs-table">
        <thead>
          <tr>
            <th>Run</th>
            <th>Status</th>
            <th>Source</th>
            {showSession && <th>Session</th>}
            <th>Started</th>
            <th class="num">Duration</th>
            <th class="num">Events</th>
            <th class="num">Errors</th>
            <th class="num">Tokens</th>
            <th class="num">Cost</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((r) => (
            <tr key={r.run_id}>
              <td>
                <a href={href('runs', r.run_id)} class="run-link">
                  <Id value={r.run_id} />
                </a>
              </td>
              <td>
                <StatusBadge status={r.status} />
              </td>
              <td>{r.source ?? '—'}</td>
              {showSession && (
                <td>
                  {r.session_id ? (
                    <a href={href('sessions', r.session_id)}>
                      <Id value={r.session_id} />
                    </a>
                  ) : (
                    '—'
                  )}
                </td>
              )}
              <td title={formatAgo(r.started_at)}>
                <span class="mono small">{formatTime(r.started_at)}</span>
              </td>
              <td class="num">{formatDuration(r.duration_ms)}</td>
              <td class="num">{formatCount(r.event_count)}</td>
              <td class={`num${r.error_count > 0 ? ' text-error' : ''}`}>{formatCount(r.error_count)}</td>
              <td class="num">{formatCount(r.total_tokens)}</td>
              <td class="num">{formatCost(r.cost_usd)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
