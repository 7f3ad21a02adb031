import type { EventRecord } from '@obs/core';
import { makeRecord } from '@obs/core/testing';
import { describe, expect, it } from 'vitest';
import { TraceTree, type TraceTreeOptions } from './trace-tree.js';

/** A tree that records what it shows as `name@depth`; a record's name is its log message. */
function tree(options: Partial<TraceTreeOptions> = {}) {
  const shown: string[] = [];
  const t = new TraceTree({ holdMs: 100, maxHeld: 100, maxTracked: 100, ...options }, (record, depth) =>
    shown.push(`${(record.envelope.payload as { message: string }).message}@${depth}`),
  );
  return { t, shown };
}

let seq = 0;
/** A record named `name` under `parent` (a record or a made-up id). */
function rec(name: string, parent: EventRecord | string | null = null, overrides = {}): EventRecord {
  seq++;
  const parentId = parent === null ? null : typeof parent === 'string' ? parent : parent.envelope.event_id;
  return makeRecord(seq, {
    parent_event_id: parentId,
    payload: { level: 'info', message: name },
    ...overrides,
  });
}

describe('TraceTree', () => {
  it('shows an event under a parent it already showed at once', () => {
    const { t, shown } = tree();
    const root = rec('root');
    t.add(root, 0);
    const child = rec('child', root);
    t.add(child, 0);
    t.add(rec('grandchild', child), 0);
    expect(shown).toEqual(['root@0', 'child@1', 'grandchild@2']);
    expect(t.held).toBe(0);
  });

  it('holds what comes before its parent (a span is recorded when it ends) and shows it beneath, in time order', () => {
    const { t, shown } = tree();
    // the order obs records nested spans: innermost first; span timestamps are their start times
    const outer = rec('outer');
    const inner = rec('inner', outer);
    const log = rec('log', inner);
    const later = rec('later sibling', outer);
    t.add(log, 0);
    t.add(inner, 1);
    t.add(later, 2);
    expect(shown).toEqual([]);
    t.add(outer, 3);
    expect(shown).toEqual(['outer@0', 'inner@1', 'log@2', 'later sibling@1']);
    expect(t.held).toBe(0);
  });

  it('shows an event whose parent does not come within holdMs one level deep, with what waited for it', () => {
    const { t, shown } = tree({ holdMs: 100 });
    const running = 'a-span-still-running';
    const done = rec('done', running);
    const inside = rec('inside', done);
    t.add(inside, 0);
    t.add(done, 50);
    expect(t.expire(99)).toBe(100);
    expect(shown).toEqual([]);
    // the first wait ends at 100: its topmost waiting ancestor goes with it, though its own wait is not over
    expect(t.expire(100)).toBeUndefined();
    expect(shown).toEqual(['done@1', 'inside@2']);
    const next = rec('next', done);
    t.add(next, 120);
    expect(shown.at(-1)).toBe('next@2');
  });

  it('holds at most maxHeld events: past it the oldest is shown without its parent', () => {
    const { t, shown } = tree({ maxHeld: 3 });
    for (let i = 0; i < 5; i++) t.add(rec(`e${i}`, `missing-${i}`), 0);
    expect(t.held).toBe(3);
    expect(shown).toEqual(['e0@1', 'e1@1']);
    t.releaseAll();
    expect(shown).toEqual(['e0@1', 'e1@1', 'e2@1', 'e3@1', 'e4@1']);
    expect(t.held).toBe(0);
  });

  it('remembers at most maxTracked depths, keeping those used within the last maxTracked / 2', () => {
    const { t, shown } = tree({ maxTracked: 4, holdMs: 0 });
    const a = rec('a');
    const b = rec('b');
    t.add(a, 0);
    t.add(b, 0);
    t.add(rec('under a', a), 0); // a is used again and kept; b falls out
    t.add(rec('under b', b), 0); // b was forgotten: held as if its parent had not come
    t.add(rec('under a again', a), 0);
    expect(t.held).toBe(1);
    t.releaseAll();
    expect(shown).toEqual(['a@0', 'b@0', 'under a@1', 'under a again@1', 'under b@1']);
    for (let i = 0; i < 1_000; i++) t.add(rec(`root ${i}`), 0);
    expect(t.tracked).toBeLessThanOrEqual(4);
  });

  it('never loops on made-up ids that form a cycle', () => {
    const { t, shown } = tree();
    const a = rec('a', 'id-of-b');
    const b = rec('b', a.envelope.event_id, { event_id: 'id-of-b' });
    t.add(a, 0);
    t.add(b, 0);
    expect(t.expire(1_000)).toBeUndefined();
    expect(shown).toEqual(['b@1', 'a@2']);
    expect(t.held).toBe(0);
  });

  it('releases everything held on releaseAll, parents before children', () => {
    const { t, shown } = tree();
    const parent = rec('parent', 'gone');
    t.add(rec('child', parent), 0);
    t.add(parent, 0);
    t.add(rec('orphan', 'elsewhere'), 0);
    t.releaseAll();
    expect(shown).toEqual(['parent@1', 'child@2', 'orphan@1']);
  });
});
