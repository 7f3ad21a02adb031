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
  const first = events.length > 0 ? minTs(events) : 0;
  const nodes = new Map<string, TraceNode>();
  for (const event of events) {
    if (nodes.has(event.event_id)) continue;
    nodes.set(event.event_id, {
      event,
      name: nodeName(event),
      children: [],
      orphan: false,
      cycle: false,
      offset_ms: Date.parse(event.timestamp) - first,
    });
  }
  markCycles(nodes);
  const roots: TraceNode[] = [];
  let orphans = 0;
  let cycles = 0;
  let end = first;
  for (const node of nodes.values()) {
    const e = node.event;
    end = Math.max(end, Date.parse(e.timestamp) + (e.event_type === 'span' ? (e.duration_ms ?? 0) : 0));
    const parent = e.parent_event_id === null ? undefined : nodes.get(e.parent_event_id);
    if (node.cycle) {
      cycles++;
      roots.push(node);
    } else if (parent !== undefined) {
      parent.children.push(node);
    } else {
      if (e.parent_event_id !== null) {
        node.orphan = true;
        orphans++;
      }
      roots.push(node);
    }
  }
  return {
    run_id: runId,
    roots,
    event_count: nodes.size,
    orphan_count: orphans,
    cycle_count: cycles,
    started_at: events.length > 0 ? new Date(first).toISOString() : null,
    duration_ms: events.length > 0 ? end - first : 0,
  };
}

/** Span operation name, else the event type. */
export function nodeName(event: Envelope): string {
  const operation = event.payload['operation'];
  return event.event_type === 'span' && typeof operation === 'string' ? operation : event.event_type;
}

function minTs(events: readonly Envelope[]): number {
  let min = Number.POSITIVE_INFINITY;
  for (const e of events) min = Math.min(min, Date.parse(e.timestamp));
  return min;
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
