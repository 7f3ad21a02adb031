import { type Envelope, uuidv7 } from '@obs/core';
import { describe, expect, it } from 'vitest';
import { renderTraceTree } from './render-trace-tree.js';
import { buildTraceTree } from './trace-tree.js';

const T = Date.UTC(2026, 0, 1);
function span(id: string, parent: string | null, i: number): Envelope {
  return {
    schema_version: 1,
    event_id: id,
    event_type: 'span',
    timestamp: new Date(T + i).toISOString(),
    seq: i,
    source: 's',
    run_id: 'r',
    request_id: null,
    cycle: null,
    session_id: null,
    turn_number: null,
    parent_event_id: parent,
    audit_level: 'turn',
    status: 'ok',
    duration_ms: 1,
    payload: { operation: `op${i}` },
  };
}

describe('buildTraceTree', () => {
  it('turns a 10 000-long cycle into roots', () => {
    const ids = Array.from({ length: 10_000 }, () => uuidv7());
    const events = ids.map((id, i) => span(id, ids[(i + 1) % ids.length]!, i));
    const tree = buildTraceTree('r', events);
    expect(tree.cycle_count).toBe(10_000);
    expect(tree.roots).toHaveLength(10_000);
  });

  it('nests a 20 000-deep chain and renders it without overflowing the stack', () => {
    const ids = Array.from({ length: 20_000 }, () => uuidv7());
    const events = ids.map((id, i) => span(id, i === 0 ? null : ids[i - 1]!, i));
    const tree = buildTraceTree('r', events);
    expect(tree.roots).toHaveLength(1);
    expect(tree.cycle_count + tree.orphan_count).toBe(0);
    const text = renderTraceTree(tree);
    expect(text.split('\n')).toHaveLength(20_002);
  });

  it('keeps a subtree hanging off a cycle under its cycle node, roots in trail order', () => {
    const [root, a, b, leaf, child] = [uuidv7(), uuidv7(), uuidv7(), uuidv7(), uuidv7()];
    const tree = buildTraceTree('r', [
      span(root, null, 0),
      span(a, b, 1),
      span(b, a, 2),
      span(leaf, a, 3),
      span(child, root, 4),
    ]);
    expect(tree.roots.map((n) => n.event.event_id)).toEqual([root, a, b]);
    expect(tree.cycle_count).toBe(2);
    expect(tree.roots[0]!.children.map((n) => n.event.event_id)).toEqual([child]);
    expect(tree.roots[1]!.children.map((n) => n.event.event_id)).toEqual([leaf]);
    expect(tree.roots[2]!.children).toEqual([]);
    expect(tree.roots[1]!.offset_ms).toBe(1);
    expect(tree.duration_ms).toBe(5);
  });

  it('keeps one node per event id and marks a self-parent and a missing parent', () => {
    const [a, b] = [uuidv7(), uuidv7()];
    const tree = buildTraceTree('r', [span(a, a, 0), span(a, null, 1), span(b, uuidv7(), 2)]);
    expect(tree.event_count).toBe(2);
    expect(tree.roots.map((n) => [n.cycle, n.orphan])).toEqual([
      [true, false],
      [false, true],
    ]);
    expect(buildTraceTree('r', [])).toMatchObject({ roots: [], started_at: null, duration_ms: 0 });
  });
});
