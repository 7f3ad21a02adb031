import { useRef, useState } from 'preact/hooks';
import type { EventEnvelope } from '../../api-types.js';
import { summarizeEvent } from '../../event-summary.js';
import { formatDuration, formatTime } from '../format.js';
import { useLiveEvents } from '../live.js';
import { href } from '../router.js';
import { Id, PageHeader, StatusBadge, TypeChip } from './common.js';

const KEEP = 500;

/** New events as they are written, newest on top, pushed by the server over a WebSocket. */
export function LivePage() {
  const [events, setEvents] = useState<EventEnvelope[]>([]);
  const [paused, setPaused] = useState(false);
  const [received, setReceived] = useState(0);
  const [draft, setDraft] = useState({ type: '', source: '', run_id: '', status: '' });
  const [filters, setFilters] = useState(draft);
  const held = useRef<EventEnvelope[]>([]);

  const live = useLiveEvents(filters, (batch) => {
    setReceived((n) => n + batch.length);
    if (paused) {
      held.current = [...batch.reverse(), ...held.current].slice(0, KEEP);
      return;
    }
    setEvents((prev) => [...batch.reverse(), ...prev].slice(0, KEEP));
  });

  const resume = () => {
    setEvents((prev) => [...held.current, ...prev].slice(0, KEEP));
    held.current = [];
    setPaused(false);
  };

  return (
    <section>
      <PageHeader
        title="Live tail"
        sub={
          <span class={`live-dot live-${live.state}`} data-testid="live-state">
            {live.state === 'live' ? 'connected' : live.state}
            {live.dropped > 0 && ` · ${live.dropped} dropped (the browser or the backlog fell behind)`}
            {live.message && ` · ${live.message}`}
          </span>
        }
      >
        <span class="muted small">{received.toLocaleString('en-US')} received</span>
        {paused ? (
          <button type="button" onClick={resume}>
            Resume
          </button>
        ) : (
          <button type="button" class="secondary" onClick={() => setPaused(true)}>
            Pause
          </button>
        )}
        <button type="button" class="secondary" onClick={() => setEvents([])}>
          Clear
        </button>
      </PageHeader>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          setFilters({ ...draft });
          setEvents([]);
        }}
      >
        {(['type', 'source', 'run_id'] as const).map((k) => (
          <label key={k}>
            {k === 'run_id' ? 'Run id' : k === 'type' ? 'Types (comma-separated)' : 'Source'}
            <input
              value={draft[k]}
              placeholder="any"
              onInput={(e) => setDraft({ ...draft, [k]: (e.target as HTMLInputElement).value.trim() })}
            />
          </label>
        ))}
        <label>
          Status
          <select
            value={draft.status}
            onChange={(e) => setDraft({ ...draft, status: (e.target as HTMLSelectElement).value })}
          >
            <option value="">any</option>
            <option value="ok">ok</option>
            <option value="error">error</option>
          </select>
        </label>
        <button type="submit">Apply</button>
      </form>
      {events.length === 0 ? (
        <div class="empty">Waiting for new events… they appear here as soon as they are written.</div>
      ) : (
        <div class="table-wrap">
          <table class="data-table live-table">
            <thead>
              <tr>
                <th>Time</th>
                <th>Type</th>
                <th>Event</th>
                <th>Source</th>
                <th>Run</th>
                <th>Status</th>
                <th class="num">Duration</th>
              </tr>
            </thead>
            <tbody>
              {events.map((e) => (
                <tr key={e.event_id} class="live-row" data-event-id={e.event_id}>
                  <td>
                    <span class="mono small">{formatTime(e.timestamp).slice(11)}</span>
                  </td>
                  <td>
                    <TypeChip type={e.event_type} />
                  </td>
                  <td class="live-summary">
                    <a href={href('events', e.event_id)}>
                      {summarizeEvent(e.event_type, e.payload) ?? e.event_type}
                    </a>
                  </td>
                  <td>{e.source}</td>
                  <td>
                    <a href={href('runs', e.run_id)}>
                      <Id value={e.run_id} />
                    </a>
                  </td>
                  <td>
                    <StatusBadge status={e.status} />
                  </td>
                  <td class="num">{formatDuration(e.duration_ms)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
