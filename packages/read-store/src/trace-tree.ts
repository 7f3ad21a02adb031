import type { Envelope } from '@obs/core';
import type { TraceNode, TraceTree } from './read-store.js';

/**
 * Builds a run's parent/child tree from its events in trail order. An event whose parent is not in
 * the run is an orphan root; events on a parent cycle (including self-parents) become roots and are
 * counted, so any input finishes in linear time. The tree's duration runs to the latest end: a
 * span's timestamp is its start, so it ends `duration_ms` later; other events are stamped when
 * they happen.
 */
export function buildTraceTree(runId: string, events: readonly Envelope[]): TraceTree {
  const nodes = new Map<string, TraceNode>();
  const list: TraceNode[] = [];
  let first = Number.POSITIVE_INFINITY;
  let end = Number.NEGATIVE_INFINITY;
  for (const event of events) {
    if (nodes.has(event.event_id)) continue;
    const ts = Date.parse(event.timestamp);
    if (ts < first) first = ts;
    const last = event.event_type === 'span' ? ts + (event.duration_ms ?? 0) : ts;
    if (last > end) end = last;
    // offset_ms holds the timestamp until the run's first one is known
    const node: TraceNode = {
      event,
      name: nodeName(event),
      children: [],
      orphan: false,
      cycle: false,
      offset_ms: ts,
    };
    nodes.set(event.event_id, node);
    list.push(node);
  }
  for (const node of list) node.offset_ms -= first;
  let links = link(list, nodes);
  if (reachable(links.roots) < list.length) {
    // only a parent cycle leaves nodes unreachable from the roots: flag it and link again
    markCycles(nodes);
    for (const node of list) node.children.length = 0;
    links = link(list, nodes);
  }
  return {
    run_id: runId,
    roots: links.roots,
    event_count: list.length,
    orphan_count: links.orphans,
    cycle_count: links.cycles,
    started_at: list.length > 0 ? new Date(first).toISOString() : null,
    duration_ms: list.length > 0 ? end - first : 0,
  };
}

/** Span operation name, else the event type. */
export function nodeName(event: Envelope): string {
  const operation = event.payload['operation'];
  return event.event_type === 'span' && typeof operation === 'string' ? operation : event.event_type;
}

/** Attaches each node to its parent in trail order; nodes flagged `cycle` and orphans become roots. */
function link(
  list: readonly TraceNode[],
  nodes: ReadonlyMap<string, TraceNode>,
): { roots: TraceNode[]; orphans: number; cycles: number } {
  const roots: TraceNode[] = [];
  let orphans = 0;
  let cycles = 0;
  for (const node of list) {
    const parentId = node.event.parent_event_id;
    const parent = parentId === null ? undefined : nodes.get(parentId);
    if (node.cycle) {
      cycles++;
      roots.push(node);
    } else if (parent !== undefined) {
      parent.children.push(node);
    } else {
      if (parentId !== null) {
        node.orphan = true;
        orphans++;
      }
      roots.push(node);
    }
  }
  return { roots, orphans, cycles };
}

/** How many nodes the roots reach, walked with an explicit stack. */
function reachable(roots: readonly TraceNode[]): number {
  const stack = [...roots];
  let count = 0;
  while (stack.length > 0) {
    const node = stack.pop()!;
    count++;
    for (const child of node.children) stack.push(child);
  }
  return count;
}

/** Flags every node that lies on a parent cycle; each node is walked once (three-colour walk). */
function markCycles(nodes: ReadonlyMap<string, TraceNode>): void {
  const state = new Map<string, 1 | 2>();
  for (const start of nodes.keys()) {
    if (state.has(start)) continue;
    const path: string[] = [];
    let id: string | null = start;
    while (id !== null && nodes.has(id) && !state.has(id)) {
      state.set(id, 1);
      path.push(id);
      id = nodes.get(id)!.event.parent_event_id;
    }
    if (id !== null && state.get(id) === 1) {
      for (let i = path.indexOf(id); i < path.length; i++) nodes.get(path[i]!)!.cycle = true;
    }
    for (const p of path) state.set(p, 2);
  }
}

/** Most events one trace tree holds; a larger run's tree shows its first events and says `truncated`. */
export const MAX_TRACE_EVENTS = 100_000;
