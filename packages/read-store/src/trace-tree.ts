import type { Envelope } from '@obs/core';
import type { TraceNode, TraceTree } from './read-store.js';

/**
 * What a trace tree is built from: one entry per event of the run in trail order, read from
 * indexed columns, and `load`, which reads the envelope of entry `i` when a node's `event` is
 * first read (so a tree costs no JSON parse for the nodes nobody looks at).
 */
export interface TraceTreeInput {
  event_id: readonly string[];
  parent_event_id: readonly (string | null)[];
  /** Epoch ms of each `timestamp`. */
  ts: ArrayLike<number>;
  event_type: readonly string[];
  duration_ms: readonly (number | null)[];
  /** {@link nodeName} of each event. */
  name: readonly string[];
  load(index: number): Envelope;
}

/** The columns of a {@link TraceTreeInput} for `n` events, to fill (a backend adds `load`). */
export function traceTreeColumns(n: number) {
  return {
    event_id: new Array<string>(n),
    parent_event_id: new Array<string | null>(n),
    ts: new Float64Array(n),
    event_type: new Array<string>(n),
    duration_ms: new Array<number | null>(n),
    name: new Array<string>(n),
  };
}

/** Events read together when a node's envelope is first needed (a tree is mostly read in order). */
export const TRACE_LOAD_CHUNK = 64;

/**
 * A loader for {@link TraceTreeInput.load} that reads the envelopes of `count` entries in chunks of
 * {@link TRACE_LOAD_CHUNK}: `read(first, end)` returns the entries' envelopes from `first` to `end`.
 */
export function chunkedLoader(
  count: number,
  read: (first: number, end: number) => Envelope[],
): (index: number) => Envelope {
  const loaded: (Envelope | undefined)[] = new Array(count);
  return (index) => {
    const hit = loaded[index];
    if (hit !== undefined) return hit;
    const first = index - (index % TRACE_LOAD_CHUNK);
    const events = read(first, Math.min(count, first + TRACE_LOAD_CHUNK));
    for (let i = 0; i < events.length; i++) loaded[first + i] = events[i];
    return loaded[index]!;
  };
}

/**
 * Builds a run's parent/child tree from its events in trail order. An event whose parent is not in
 * the run is an orphan root; events on a parent cycle (including self-parents) become roots and are
 * counted, so any input finishes in linear time. The tree's duration runs to the latest end: a
 * span's timestamp is its start, so it ends `duration_ms` later; other events are stamped when
 * they happen.
 */
export function buildTraceTree(runId: string, events: readonly Envelope[]): TraceTree {
  return buildTraceTreeFrom(runId, {
    event_id: events.map((e) => e.event_id),
    parent_event_id: events.map((e) => e.parent_event_id),
    ts: events.map((e) => Date.parse(e.timestamp)),
    event_type: events.map((e) => e.event_type),
    duration_ms: events.map((e) => e.duration_ms),
    name: events.map(nodeName),
    load: (i) => events[i]!,
  });
}

/** {@link buildTraceTree} from columns: envelopes are loaded only when a node's `event` is read. */
export function buildTraceTreeFrom(runId: string, input: TraceTreeInput): TraceTree {
  const nodes = new Map<string, number>();
  const list: TraceNode[] = [];
  const parents: (string | null)[] = [];
  let first = Number.POSITIVE_INFINITY;
  let end = Number.NEGATIVE_INFINITY;
  const n = input.event_id.length;
  for (let i = 0; i < n; i++) {
    const id = input.event_id[i]!;
    if (nodes.has(id)) continue;
    const ts = input.ts[i]!;
    if (ts < first) first = ts;
    const last = input.event_type[i] === 'span' ? ts + (input.duration_ms[i] ?? 0) : ts;
    if (last > end) end = last;
    nodes.set(id, list.length);
    // offset_ms holds the timestamp until the run's first one is known
    list.push(lazyNode(input.load, i, input.name[i]!, ts));
    parents.push(input.parent_event_id[i]!);
  }
  for (const node of list) node.offset_ms -= first;
  let links = link(list, parents, nodes);
  if (reachable(links.roots) < list.length) {
    // only a parent cycle leaves nodes unreachable from the roots: flag it and link again
    markCycles(list, parents, nodes);
    for (const node of list) node.children.length = 0;
    links = link(list, parents, nodes);
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

/** A node whose `event` is loaded on first read, then kept. */
function lazyNode(load: (index: number) => Envelope, index: number, name: string, ts: number): TraceNode {
  let event: Envelope | undefined;
  return {
    get event() {
      event ??= load(index);
      return event;
    },
    name,
    children: [],
    orphan: false,
    cycle: false,
    offset_ms: ts,
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
  parents: readonly (string | null)[],
  nodes: ReadonlyMap<string, number>,
): { roots: TraceNode[]; orphans: number; cycles: number } {
  const roots: TraceNode[] = [];
  let orphans = 0;
  let cycles = 0;
  for (let i = 0; i < list.length; i++) {
    const node = list[i]!;
    const parentId = parents[i]!;
    const parent = parentId === null ? undefined : nodes.get(parentId);
    if (node.cycle) {
      cycles++;
      roots.push(node);
    } else if (parent !== undefined) {
      list[parent]!.children.push(node);
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
function markCycles(
  list: readonly TraceNode[],
  parents: readonly (string | null)[],
  nodes: ReadonlyMap<string, number>,
): void {
  const state = new Uint8Array(list.length);
  for (let start = 0; start < list.length; start++) {
    if (state[start] !== 0) continue;
    const path: number[] = [];
    let at: number | undefined = start;
    while (at !== undefined && state[at] === 0) {
      state[at] = 1;
      path.push(at);
      const parentId: string | null = parents[at]!;
      at = parentId === null ? undefined : nodes.get(parentId);
    }
    if (at !== undefined && state[at] === 1) {
      for (let i = path.indexOf(at); i < path.length; i++) list[path[i]!]!.cycle = true;
    }
    for (const p of path) state[p] = 2;
  }
}

/** Most events one trace tree holds; a larger run's tree shows its first events and says `truncated`. */
export const MAX_TRACE_EVENTS = 100_000;
