import type { RunSummary } from '@obs/read-store';
import { useRef } from 'preact/hooks';
import type { TraceRows } from '../../api-types.js';
import { apiUrl } from '../api.js';
import { formatCost, formatCount, formatDuration, formatTime } from '../format.js';
import { useLiveEvents } from '../live.js';
import { treeRefreshMs } from '../refresh-interval.js';
import { href } from '../router.js';
import { useApi } from '../use-api.js';
import { ErrorBox, Id, Loading, Metric, PageHeader, StatusBadge } from './common.js';
import { TraceView } from './TraceView.js';

/** One run: its summary, then its trace tree and waterfall; a running run refreshes as events arrive (less often as its tree grows). */
export function RunPage({ runId }: { runId: string }) {
  const run = useApi<RunSummary>(['runs', runId]);
  const trace = useApi<TraceRows>(['runs', runId, 'tree']);
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);
  const running = run.data?.status === 'running';
  const live = useLiveEvents(
    { run_id: runId },
    () => {
      if (pending.current) return;
      pending.current = setTimeout(
        () => {
          pending.current = null;
          run.reload();
          trace.reload();
        },
        treeRefreshMs(trace.data?.event_count ?? 0),
      );
    },
    running,
  );

  if (run.error) return <ErrorBox error={run.error} />;
  if (!run.data) return <Loading what="Loading run" />;
  const r = run.data;
  return (
    <section>
      <PageHeader
        title={
          <>
            Run <Id value={r.run_id} full />
          </>
        }
        sub={
          <>
            <StatusBadge status={r.status} /> <span class="muted">{r.source ?? 'unknown source'}</span>
            {r.session_id && (
              <>
                {' · session '}
                <a href={href('sessions', r.session_id)}>
                  <Id value={r.session_id} />
                </a>
              </>
            )}
            {running && <span class={`live-dot live-${live.state}`}> live</span>}
          </>
        }
      >
        <a class="button secondary" href={apiUrl(['export'], { run_id: r.run_id, format: 'jsonl' })} download>
          Export JSONL
        </a>
        <a class="button secondary" href={apiUrl(['export'], { run_id: r.run_id, format: 'csv' })} download>
          Export CSV
        </a>
      </PageHeader>
      <div class="metrics">
        <Metric label="Started" wide value={<span class="mono small">{formatTime(r.started_at)}</span>} />
        <Metric label="Duration" value={formatDuration(r.duration_ms)} />
        <Metric label="Events" value={formatCount(r.event_count)} />
        <Metric
          label="Errors"
          value={formatCount(r.error_count)}
          tone={r.error_count > 0 ? 'error' : undefined}
        />
        <Metric label="LLM calls" value={formatCount(r.llm_call_count)} />
        <Metric
          label="Tokens"
          value={
            <span title={`prompt ${r.prompt_tokens} · completion ${r.completion_tokens}`}>
              {formatCount(r.total_tokens)}
            </span>
          }
        />
        <Metric label="Cost" value={formatCost(r.cost_usd)} />
      </div>
      <h2>Trace</h2>
      {trace.error ? <ErrorBox error={trace.error} /> : null}
      {!trace.data && !trace.error && <Loading what="Loading trace" />}
      {trace.data && <TraceView trace={trace.data} />}
    </section>
  );
}
