import { useState } from 'preact/hooks';
import type { EventDetail } from '../../api-types.js';
import { summarizeEvent } from '../../event-summary.js';
import { formatDuration, formatTime } from '../format.js';
import { href } from '../router.js';
import { useApi } from '../use-api.js';
import { ErrorBox, Id, Loading, PageHeader, StatusBadge, TypeChip } from './common.js';
import { JsonView } from './JsonView.js';

/** One event: its envelope fields, pretty payload, copy button, and links to its parent and children. */
export function EventPage({ eventId }: { eventId: string }) {
  const detail = useApi<EventDetail>(['events', eventId]);
  const [copied, setCopied] = useState<'idle' | 'done' | 'failed'>('idle');
  if (detail.error) return <ErrorBox error={detail.error} />;
  if (!detail.data) return <Loading what="Loading event" />;
  const { event: e, json, children, more_children } = detail.data;
  const name =
    e.event_type === 'span' && typeof e.payload['operation'] === 'string'
      ? e.payload['operation']
      : e.event_type;

  const copy = () => {
    navigator.clipboard.writeText(json).then(
      () => setCopied('done'),
      () => setCopied('failed'),
    );
    setTimeout(() => setCopied('idle'), 1500);
  };

  return (
    <section>
      <PageHeader
        title={
          <>
            <TypeChip type={e.event_type} /> <span class="event-name">{name}</span>
          </>
        }
        sub={
          <>
            <StatusBadge status={e.status} /> <span class="mono small">{formatTime(e.timestamp)}</span>
            {e.duration_ms !== null && <span class="muted"> · {formatDuration(e.duration_ms)}</span>}
          </>
        }
      >
        <button type="button" class="secondary" onClick={copy} data-testid="copy-json">
          {copied === 'done' ? 'Copied ✓' : copied === 'failed' ? 'Copy failed' : 'Copy JSON'}
        </button>
      </PageHeader>
      <div class="event-grid">
        <dl class="fields">
          <Field label="Event id" value={<Id value={e.event_id} full />} />
          <Field
            label="Run"
            value={
              <a href={href('runs', e.run_id)}>
                <Id value={e.run_id} full />
              </a>
            }
          />
          <Field
            label="Parent"
            value={
              e.parent_event_id ? (
                <a href={href('events', e.parent_event_id)} data-testid="parent-link">
                  <Id value={e.parent_event_id} full />
                </a>
              ) : (
                '— (root)'
              )
            }
          />
          <Field
            label="Session"
            value={
              e.session_id ? (
                <a href={href('sessions', e.session_id)}>
                  <Id value={e.session_id} full />
                </a>
              ) : (
                '—'
              )
            }
          />
          <Field label="Source" value={e.source} />
          <Field label="Turn" value={e.turn_number ?? '—'} />
          <Field label="Request" value={e.request_id ? <Id value={e.request_id} full /> : '—'} />
          <Field label="Cycle" value={e.cycle ?? '—'} />
          <Field label="Sequence" value={<span class="mono">{e.seq}</span>} />
          <Field label="Audit level" value={e.audit_level} />
          <Field label="Schema" value={`v${e.schema_version}`} />
        </dl>
        <div class="children-box">
          <h3>
            Children{' '}
            <span class="muted">
              ({children.length}
              {more_children ? '+' : ''})
            </span>
          </h3>
          {children.length === 0 ? (
            <div class="empty small">No child events.</div>
          ) : (
            <ul class="child-list">
              {children.map((c) => (
                <li key={c.event_id}>
                  <TypeChip type={c.event_type} />{' '}
                  <a href={href('events', c.event_id)}>
                    {c.event_type === 'span' ? String(c.payload['operation'] ?? 'span') : c.event_type}
                  </a>{' '}
                  <span class="muted small">{summarizeEvent(c.event_type, c.payload) ?? ''}</span>
                  <StatusBadge status={c.status} />
                </li>
              ))}
            </ul>
          )}
        </div>
      </div>
      <h2>Payload</h2>
      <JsonView value={e.payload} />
      <details class="raw">
        <summary>Stored JSON (canonical line)</summary>
        <pre class="json raw-json">{json}</pre>
      </details>
    </section>
  );
}

function Field({ label, value }: { label: string; value: preact.ComponentChildren }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </>
  );
}
