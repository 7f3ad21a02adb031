import type { TraceNode, TraceTree } from '@obs/read-store';
import type { TraceRow, TraceRows } from './api-types.js';
import { summarizeEvent } from './event-summary.js';

/** Flattens a trace tree to pre-order rows without recursion (a 10k-deep chain is fine). */
export function toTraceRows(tree: TraceTree): TraceRows {
  const rows: TraceRow[] = [];
  const stack: { node: TraceNode; parent: number; depth: number }[] = [];
  for (let i = tree.roots.length - 1; i >= 0; i--) stack.push({ node: tree.roots[i]!, parent: -1, depth: 0 });
  while (stack.length > 0) {
    const { node, parent, depth } = stack.pop()!;
    const e = node.event;
    const index = rows.length;
    rows.push({
      event_id: e.event_id,
      parent,
      depth,
      children: node.children.length,
      name: node.name,
      event_type: e.event_type,
      status: e.status,
      offset_ms: node.offset_ms,
      start_ms: barStart(e.event_type, node.offset_ms, e.duration_ms),
      duration_ms: e.duration_ms,
      timestamp: e.timestamp,
      source: e.source,
      orphan: node.orphan,
      detail: summarizeEvent(e.event_type, e.payload),
    });
    for (let i = node.children.length - 1; i >= 0; i--) {
      stack.push({ node: node.children[i]!, parent: index, depth: depth + 1 });
    }
  }
  return {
    run_id: tree.run_id,
    event_count: tree.event_count,
    orphan_count: tree.orphan_count,
    cycle_count: tree.cycle_count,
    started_at: tree.started_at,
    duration_ms: tree.duration_ms,
    rows,
  };
}

function barStart(type: string, offset: number, duration: number | null): number {
  if (type === 'span' || duration === null) return offset;
  return Math.max(0, offset - duration);
}
