import { describe, expect, it } from 'vitest';
import type { TraceRow } from '../api-types.js';
import { collapsedBelow, rowsOf, subtreeEnds, visibleRows } from './trace-model.js';
import { rowWindow } from './virtual-window.js';

/** Rows from `[id, depth]` pairs in pre-order; child counts derived. */
function rows(spec: [string, number][]): TraceRow[] {
  return spec.map(([id, depth], i) => {
    let children = 0;
    for (let j = i + 1; j < spec.length && spec[j]![1] > depth; j++)
      if (spec[j]![1] === depth + 1) children++;
    return {
      event_id: id,
      parent: -1,
      depth,
      children,
      name: id,
      event_type: 'span',
      status: null,
      offset_ms: 0,
      start_ms: 0,
      duration_ms: null,
      orphan: false,
      detail: null,
    };
  });
}

const tree = rows([
  ['a', 0],
  ['a1', 1],
  ['a1x', 2],
  ['a2', 1],
  ['b', 0],
  ['b1', 1],
]);

describe('trace model', () => {
  it('finds where each subtree ends', () => {
    expect([...subtreeEnds(tree)]).toEqual([4, 3, 3, 4, 6, 6]);
  });

  it('hides the descendants of collapsed rows only', () => {
    const ends = subtreeEnds(tree);
    const ids = (collapsed: string[]) =>
      visibleRows(tree, ends, new Set(collapsed)).map((i) => tree[i]!.event_id);
    expect(ids([])).toEqual(['a', 'a1', 'a1x', 'a2', 'b', 'b1']);
    expect(ids(['a1'])).toEqual(['a', 'a1', 'a2', 'b', 'b1']);
    expect(ids(['a', 'a1'])).toEqual(['a', 'b', 'b1']);
    expect(ids([...collapsedBelow(tree, 0)])).toEqual(['a', 'b']);
    expect(ids([...collapsedBelow(tree, 1)])).toEqual(['a', 'a1', 'a2', 'b', 'b1']);
  });

  it('handles a 10k-deep chain without recursion', () => {
    const chain = rows(Array.from({ length: 10_000 }, (_, i) => [`n${i}`, i] as [string, number]));
    const ends = subtreeEnds(chain);
    expect(ends[0]).toBe(10_000);
    expect(visibleRows(chain, ends, new Set(['n5']))).toHaveLength(6);
  });
});

describe('row window', () => {
  it('renders the rows in view plus overscan, clamped to the list', () => {
    expect(rowWindow(0, 280, 28, 10_000, 8)).toEqual({ start: 0, end: 19 });
    expect(rowWindow(28 * 5000, 280, 28, 10_000, 8)).toEqual({ start: 4992, end: 5019 });
    expect(rowWindow(28 * 9999, 280, 28, 10_000, 8)).toEqual({ start: 9991, end: 10_000 });
    expect(rowWindow(-50, 0, 28, 0)).toEqual({ start: 0, end: 0 });
  });
});

describe('rowsOf', () => {
  it('turns the columns back into one row per index, orphans flagged', () => {
    const [a, b] = rowsOf({
      event_id: ['a', 'b'],
      parent: [-1, 0],
      depth: [0, 1],
      children: [1, 0],
      name: ['root', 'llm.call'],
      event_type: ['span', 'llm.call'],
      status: ['ok', null],
      offset_ms: [0, 5],
      start_ms: [0, 3],
      duration_ms: [10, 2],
      detail: [null, 'gpt'],
      orphans: [1],
    });
    expect(a).toMatchObject({ event_id: 'a', parent: -1, children: 1, orphan: false, status: 'ok' });
    expect(b).toMatchObject({ event_id: 'b', parent: 0, depth: 1, start_ms: 3, orphan: true, detail: 'gpt' });
  });
});
