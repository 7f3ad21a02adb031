import type { TraceNode, TraceTree } from '@obs/read-store';
import type { TraceColumns, TraceRows } from './api-types.js';
import { summarizeEvent } from './event-summary.js';

/** Flattens a trace tree to pre-order rows, column by column, without recursion (a 10k-deep chain is fine). */
export function toTraceRows(tree: TraceTree): TraceRows {
  const c: TraceColumns = {
    event_id: [],
    parent: [],
    depth: [],
    children: [],
    name: [],
    event_type: [],
    status: [],
    offset_ms: [],
    start_ms: [],
    duration_ms: [],
    detail: [],
    orphans: [],
  };
  const nodes: TraceNode[] = [];
  const parents: number[] = [];
  const depths: number[] = [];
  for (let i = tree.roots.length - 1; i >= 0; i--) {
    nodes.push(tree.roots[i]!);
    parents.push(-1);
    depths.push(0);
  }
  while (nodes.length > 0) {
    const node = nodes.pop()!;
    const parent = parents.pop()!;
    const depth = depths.pop()!;
    const e = node.event;
    const index = c.event_id.length;
    c.event_id.push(e.event_id);
    c.parent.push(parent);
    c.depth.push(depth);
    c.children.push(node.children.length);
    c.name.push(node.name);
    c.event_type.push(e.event_type);
    c.status.push(e.status);
    c.offset_ms.push(node.offset_ms);
    c.start_ms.push(barStart(e.event_type, node.offset_ms, e.duration_ms));
    c.duration_ms.push(e.duration_ms);
    c.detail.push(summarizeEvent(e.event_type, e.payload));
    if (node.orphan) c.orphans.push(index);
    for (let i = node.children.length - 1; i >= 0; i--) {
      nodes.push(node.children[i]!);
      parents.push(index);
      depths.push(depth + 1);
    }
  }
  return {
    run_id: tree.run_id,
    event_count: tree.event_count,
    orphan_count: tree.orphan_count,
    cycle_count: tree.cycle_count,
    started_at: tree.started_at,
    duration_ms: tree.duration_ms,
    truncated: tree.truncated === true,
    columns: c,
  };
}

function barStart(type: string, offset: number, duration: number | null): number {
  if (type === 'span' || duration === null) return offset;
  return Math.max(0, offset - duration);
}
