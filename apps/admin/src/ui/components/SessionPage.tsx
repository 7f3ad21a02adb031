import type { Page, RunSummary, SessionSummary, StoredEvent } from '@obs/read-store';
import { useEffect, useState } from 'preact/hooks';
import type { EventEnvelope } from '../../api-types.js';
import { summarizeEvent } from '../../event-summary.js';
import { getJson } from '../api.js';
import { formatCost, formatCount, formatDuration, formatTime } from '../format.js';
import { href } from '../router.js';
import { useApi } from '../use-api.js';
import { ErrorBox, Id, Loading, Metric, PageHeader, StatusBadge, TypeChip } from './common.js';
import { RunsTable } from './RunsPage.js';

const EVENTS_PAGE = 200;

/** One session: its runs in order, then its events grouped by turn, oldest first. */
export function SessionPage({ sessionId }: { sessionId: string }) {
  const session = useApi<SessionSummary & { runs: RunSummary[] }>(['sessions', sessionId]);
  if (session.error) return <ErrorBox error={session.error} />;
  if (!session.data) return <Loading what="Loading session" />;
  const s = session.data;
  const runs = [...s.runs].sort((a, b) => (a.started_at ?? '').localeCompare(b.started_at ?? ''));
  return (
    <section>
      <PageHeader
        title={
          <>
            Session <Id value={s.session_id} full />
          </>
        }
        sub={<StatusBadge status={s.status} />}
      />
      <div class="metrics">
        <Metric label="Started" wide value={<span class="mono small">{formatTime(s.started_at)}</span>} />
        <Metric label="Duration" value={formatDuration(s.duration_ms)} />
        <Metric label="Runs" value={formatCount(s.run_count)} />
        <Metric label="Turns" value={s.max_turn_number ?? '—'} />
        <Metric label="Events" value={formatCount(s.event_count)} />
        <Metric
          label="Errors"
          value={formatCount(s.error_count)}
          tone={s.error_count > 0 ? 'error' : undefined}
        />
        <Metric label="Tokens" value={formatCount(s.total_tokens)} />
        <Metric label="Cost" value={formatCost(s.cost_usd)} />
      </div>
      <h2>Runs, in order</h2>
      <RunsTable runs={runs} showSession={false} />
      <h2>Turns</h2>
      <SessionTurns sessionId={sessionId} />
    </section>
  );
}

function SessionTurns({ sessionId }: { sessionId: string }) {
  const [events, setEvents] = useState<EventEnvelope[]>([]);
  const [cursor, setCursor] = useState<string | null | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(false);

  const load = (after: string | undefined, reset: boolean) => {
    setLoading(true);
    getJson<Page<StoredEvent>>(['events'], { session_id: sessionId, limit: EVENTS_PAGE, cursor: after }).then(
      (page) => {
        setEvents((prev) => [...(reset ? [] : prev), ...page.items.map((i) => i.envelope)]);
        setCursor(page.next_cursor);
        setLoading(false);
      },
      (e: unknown) => {
        setError(e);
        setLoading(false);
      },
    );
  };
  useEffect(() => load(undefined, true), [sessionId]);

  if (error) return <ErrorBox error={error} />;
  const turns = groupByTurn(events);
  return (
    <div class="turns">
      {turns.map(([turn, list]) => (
        <article class="turn" key={String(turn)}>
          <header>
            <strong>{turn === null ? 'Outside any turn' : `Turn ${turn}`}</strong>
            <span class="muted small">
              {' '}
              · {formatTime(list[0]?.timestamp)} · {list.length} events · run{' '}
              <a href={href('runs', list[0]?.run_id ?? '')}>
                <Id value={list[0]?.run_id ?? ''} />
              </a>
            </span>
          </header>
          <ul class="turn-events">
            {list.map((e) => (
              <li key={e.event_id}>
                <span class="mono small muted">{formatTime(e.timestamp).slice(11)}</span>
                <TypeChip type={e.event_type} />
                <a href={href('events', e.event_id)}>
                  {e.event_type === 'span' ? String(e.payload['operation'] ?? 'span') : e.event_type}
                </a>
                <span class="turn-summary">{summarizeEvent(e.event_type, e.payload) ?? ''}</span>
                {e.status && <StatusBadge status={e.status} />}
              </li>
            ))}
          </ul>
        </article>
      ))}
      {loading && <Loading what="Loading events" />}
      {!loading && events.length === 0 && <div class="empty">No events in this session.</div>}
      {cursor && !loading && (
        <button type="button" class="secondary" onClick={() => load(cursor, false)}>
          Load more events
        </button>
      )}
    </div>
  );
}

/** Consecutive events of one turn form one group; groups keep the order events happened in. */
function groupByTurn(events: EventEnvelope[]): [number | null, EventEnvelope[]][] {
  const groups: [number | null, EventEnvelope[]][] = [];
  for (const e of events) {
    const last = groups[groups.length - 1];
    if (last && last[0] === e.turn_number) last[1].push(e);
    else groups.push([e.turn_number, [e]]);
  }
  return groups;
}
