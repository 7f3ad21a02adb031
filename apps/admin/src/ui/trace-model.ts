import type { TraceRow } from '../api-types.js';

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
