import type { Page, SessionSummary } from '@obs/read-store';
import { useState } from 'preact/hooks';
import { formatCost, formatCount, formatDuration, formatTime } from '../format.js';
import { href } from '../router.js';
import { useApi } from '../use-api.js';
import { ErrorBox, Id, Loading, PageHeader, Pager, StatusBadge } from './common.js';

const PAGE_SIZE = 50;

/** Multi-turn sessions, newest first, searchable by id. */
export function SessionsPage() {
  const [draft, setDraft] = useState('');
  const [search, setSearch] = useState('');
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const page = cursors.length - 1;
  const sessions = useApi<Page<SessionSummary>>(['sessions'], {
    search,
    cursor: cursors[page],
    limit: PAGE_SIZE,
  });

  return (
    <section>
      <PageHeader title="Sessions" sub="Conversations and their runs, newest first" />
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          setSearch(draft.trim());
          setCursors([undefined]);
        }}
      >
        <label class="grow">
          Session id contains
          <input
            type="search"
            value={draft}
            placeholder="search session ids"
            onInput={(e) => setDraft((e.target as HTMLInputElement).value)}
          />
        </label>
        <button type="submit">Apply</button>
      </form>
      {sessions.error ? <ErrorBox error={sessions.error} /> : null}
      {!sessions.data && !sessions.error && <Loading what="Loading sessions" />}
      {sessions.data &&
        (sessions.data.items.length === 0 ? (
          <div class="empty">No sessions match.</div>
        ) : (
          <div class="table-wrap">
            <table class="data-table">
              <thead>
                <tr>
                  <th>Session</th>
                  <th>Status</th>
                  <th>Started</th>
                  <th class="num">Duration</th>
                  <th class="num">Runs</th>
                  <th class="num">Turns</th>
                  <th class="num">Events</th>
                  <th class="num">Errors</th>
                  <th class="num">Tokens</th>
                  <th class="num">Cost</th>
                </tr>
              </thead>
              <tbody>
                {sessions.data.items.map((s) => (
                  <tr key={s.session_id}>
                    <td>
                      <a href={href('sessions', s.session_id)}>
                        <Id value={s.session_id} />
                      </a>
                    </td>
                    <td>
                      <StatusBadge status={s.status} />
                    </td>
                    <td>
                      <span class="mono small">{formatTime(s.started_at)}</span>
                    </td>
                    <td class="num">{formatDuration(s.duration_ms)}</td>
                    <td class="num">{formatCount(s.run_count)}</td>
                    <td class="num">{s.max_turn_number ?? '—'}</td>
                    <td class="num">{formatCount(s.event_count)}</td>
                    <td class={`num${s.error_count > 0 ? ' text-error' : ''}`}>
                      {formatCount(s.error_count)}
                    </td>
                    <td class="num">{formatCount(s.total_tokens)}</td>
                    <td class="num">{formatCost(s.cost_usd)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
      {sessions.data && (
        <Pager
          page={page}
          count={sessions.data.items.length}
          hasNext={sessions.data.next_cursor !== null}
          onPrev={() => setCursors(cursors.slice(0, -1))}
          onNext={() => sessions.data?.next_cursor && setCursors([...cursors, sessions.data.next_cursor])}
        />
      )}
    </section>
  );
}
