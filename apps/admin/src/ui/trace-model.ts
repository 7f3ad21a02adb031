import type { TraceColumns, TraceRow } from '../api-types.js';

/** The rows of the tree API's columns, one object per row, in pre-order. */
export function rowsOf(c: TraceColumns): TraceRow[] {
  const orphans = new Set(c.orphans);
  const rows: TraceRow[] = new Array(c.event_id.length);
  for (let i = 0; i < rows.length; i++) {
    rows[i] = {
      event_id: c.event_id[i]!,
      parent: c.parent[i]!,
      depth: c.depth[i]!,
      children: c.children[i]!,
      name: c.name[i]!,
      event_type: c.event_type[i]!,
      status: c.status[i] ?? null,
      offset_ms: c.offset_ms[i]!,
      start_ms: c.start_ms[i]!,
      duration_ms: c.duration_ms[i] ?? null,
      orphan: orphans.has(i),
      detail: c.detail[i] ?? null,
    };
  }
  return rows;
}

/** Index just past each row's subtree (rows are in pre-order), computed in one pass. */
export function subtreeEnds(rows: readonly TraceRow[]): Int32Array {
  const ends = new Int32Array(rows.length);
  const open: number[] = [];
  for (let i = 0; i < rows.length; i++) {
    const depth = rows[i]!.depth;
    while (open.length > 0 && rows[open[open.length - 1]!]!.depth >= depth) ends[open.pop()!] = i;
    open.push(i);
  }
  for (const i of open) ends[i] = rows.length;
  return ends;
}

/** Indexes of the rows to show: every row whose ancestors are all expanded (collapsed: event ids). */
export function visibleRows(
  rows: readonly TraceRow[],
  ends: Int32Array,
  collapsed: ReadonlySet<string>,
): number[] {
  const out: number[] = [];
  let i = 0;
  while (i < rows.length) {
    out.push(i);
    i = collapsed.size > 0 && collapsed.has(rows[i]!.event_id) ? ends[i]! : i + 1;
  }
  return out;
}

/** Rows with children at or below `depth`: collapsing them shows the tree down to that depth. */
export function collapsedBelow(rows: readonly TraceRow[], depth: number): Set<string> {
  const set = new Set<string>();
  for (const row of rows) if (row.children > 0 && row.depth >= depth) set.add(row.event_id);
  return set;
}
