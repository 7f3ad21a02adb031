import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { TraceRow, TraceRows } from '../../api-types.js';
import { formatDuration } from '../format.js';
import { href } from '../router.js';
import { collapsedBelow, rowsOf, subtreeEnds, visibleRows } from '../trace-model.js';
import { rowWindow } from '../virtual-window.js';
import { TypeChip } from './common.js';

const ROW_HEIGHT = 28;
const INDENT_PX = 14;
const MAX_INDENT_LEVELS = 24;
const TICKS = [0, 0.25, 0.5, 0.75, 1];

/**
 * A run's trace tree and its waterfall in one windowed list: only the rows in view are in the
 * DOM, so a 10k-event run scrolls and expands as fast as a small one.
 */
export function TraceView({ trace }: { trace: TraceRows }) {
  const rows = useMemo(() => rowsOf(trace.columns), [trace]);
  const ends = useMemo(() => subtreeEnds(rows), [rows]);
  const [collapsed, setCollapsed] = useState<Set<string>>(() => new Set());
  const visible = useMemo(() => visibleRows(rows, ends, collapsed), [rows, ends, collapsed]);
  const scroller = useRef<HTMLDivElement>(null);
  const [viewport, setViewport] = useState({ top: 0, height: 600 });
  const span = useMemo(() => timeSpan(trace.duration_ms, rows), [trace, rows]);

  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const measure = () => setViewport({ top: el.scrollTop, height: el.clientHeight });
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const onScroll = () => {
    const el = scroller.current;
    if (el) setViewport({ top: el.scrollTop, height: el.clientHeight });
  };

  const toggle = (id: string) => {
    const next = new Set(collapsed);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setCollapsed(next);
  };

  const { start, end } = rowWindow(viewport.top, viewport.height, ROW_HEIGHT, visible.length);
  const windowRows = visible.slice(start, end);

  return (
    <div class="trace">
      <div class="trace-toolbar">
        <button type="button" class="secondary" onClick={() => setCollapsed(new Set())}>
          Expand all
        </button>
        <button type="button" class="secondary" onClick={() => setCollapsed(collapsedBelow(rows, 0))}>
          Collapse all
        </button>
        <button type="button" class="secondary" onClick={() => setCollapsed(collapsedBelow(rows, 1))}>
          Top level
        </button>
        <span class="trace-counts">
          {visible.length.toLocaleString('en-US')} of {rows.length.toLocaleString('en-US')} rows
          {trace.orphan_count > 0 && <> · {trace.orphan_count} orphans</>}
          {trace.cycle_count > 0 && <> · {trace.cycle_count} in cycles</>}
          {trace.truncated && <> · the run's first {rows.length.toLocaleString('en-US')} events</>}
        </span>
      </div>
      <div class="trace-head">
        <div class="trace-name">Event</div>
        <div class="trace-axis">
          {TICKS.map((t) => (
            <span key={t} class="tick" style={{ left: `${t * 100}%` }}>
              {formatDuration(t * span)}
            </span>
          ))}
        </div>
      </div>
      <div class="trace-body" ref={scroller} onScroll={onScroll} role="tree" aria-label="trace tree">
        <div class="trace-spacer" style={{ height: `${visible.length * ROW_HEIGHT}px` }}>
          <div class="trace-window" style={{ transform: `translateY(${start * ROW_HEIGHT}px)` }}>
            {windowRows.map((index) => (
              <TraceRowView
                key={rows[index]!.event_id}
                row={rows[index]!}
                expanded={!collapsed.has(rows[index]!.event_id)}
                onToggle={() => toggle(rows[index]!.event_id)}
                span={span}
              />
            ))}
          </div>
        </div>
      </div>
    </div>
  );
}

function TraceRowView({
  row,
  expanded,
  onToggle,
  span,
}: {
  row: TraceRow;
  expanded: boolean;
  onToggle: () => void;
  span: number;
}) {
  const indent = Math.min(row.depth, MAX_INDENT_LEVELS) * INDENT_PX;
  const left = Math.min(100, (row.start_ms / span) * 100);
  const width =
    row.duration_ms === null ? 0 : Math.max(0.2, Math.min(100 - left, (row.duration_ms / span) * 100));
  const tone = row.status === 'error' ? 'error' : row.status === 'ok' ? 'ok' : 'none';
  const label =
    row.duration_ms === null ? `+${formatDuration(row.offset_ms)}` : formatDuration(row.duration_ms);
  return (
    <div
      class={`trace-row${row.status === 'error' ? ' is-error' : ''}`}
      role="treeitem"
      tabIndex={-1}
      aria-level={row.depth + 1}
      aria-expanded={row.children > 0 ? expanded : undefined}
      data-event-id={row.event_id}
    >
      <div class="trace-name" style={{ paddingLeft: `${indent + 6}px` }}>
        {row.children > 0 ? (
          <button
            type="button"
            class="toggle"
            aria-label={`${expanded ? 'Collapse' : 'Expand'} ${row.name}`}
            onClick={onToggle}
          >
            {expanded ? '▾' : '▸'}
          </button>
        ) : (
          <span class="toggle-spacer" />
        )}
        {row.depth > MAX_INDENT_LEVELS && <span class="depth-hint">L{row.depth}</span>}
        <TypeChip type={row.event_type} />
        <a class="trace-link" href={href('events', row.event_id)} title={row.name}>
          {row.name}
        </a>
        {row.detail && <span class="trace-detail">{row.detail}</span>}
        {row.orphan && <span class="badge badge-warn">orphan</span>}
      </div>
      <div class="trace-lane">
        {row.duration_ms === null ? (
          <span class={`mark mark-${tone}`} style={{ left: `${left}%` }} />
        ) : (
          <span class={`bar bar-${tone}`} style={{ left: `${left}%`, width: `${width}%` }} />
        )}
        <BarLabel left={left} width={width} text={label} />
      </div>
    </div>
  );
}

/** A bar's duration: after the bar, else before it, else inside it (a bar spanning the whole lane). */
function BarLabel({ left, width, text }: { left: number; width: number; text: string }) {
  const end = left + width;
  if (end <= 82)
    return (
      <span class="bar-label" style={{ left: `${end}%` }}>
        {text}
      </span>
    );
  if (left >= 18)
    return (
      <span class="bar-label before" style={{ right: `${100 - left}%` }}>
        {text}
      </span>
    );
  return (
    <span class="bar-label inside" style={{ left: `${left}%` }}>
      {text}
    </span>
  );
}

/** The width of the waterfall: the run's duration, or the end of its latest span. */
function timeSpan(duration: number, rows: readonly TraceRow[]): number {
  let max = duration;
  for (const r of rows) max = Math.max(max, r.offset_ms, r.start_ms + (r.duration_ms ?? 0));
  return max > 0 ? max : 1;
}
