import type { EventFilter } from '../query-schemas.js';
import type { EventTable } from './event-table.js';

/**
 * A case-insensitive substring test with SQLite `LIKE` semantics: only ASCII letters fold, so both
 * backends match the same events.
 */
export function asciiContains(needle: string): (text: string) => boolean {
  const source = [...needle]
    .map((c) =>
      /[a-z]/i.test(c) ? `[${c.toLowerCase()}${c.toUpperCase()}]` : c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'),
    )
    .join('');
  const pattern = new RegExp(source, 'u');
  return (text) => pattern.test(text);
}

const STATUS = { ok: 1, error: 2 } as const;

/** The test a row must pass to match every given filter but `text` (which needs the line). */
export function eventPredicate(t: EventTable, filter: Omit<EventFilter, 'text'>): (row: number) => boolean {
  const c = t.columns;
  const tests: ((row: number) => boolean)[] = [];
  const equals = (column: Int32Array, value: string) => {
    const id = t.lookup(value);
    tests.push(id < 0 ? () => false : (row) => column[row] === id);
  };
  const { run_id, session_id, types, status, source, audit_level, parent_event_id, from, to } = filter;
  if (run_id !== undefined) equals(c.run as Int32Array, run_id);
  if (session_id !== undefined) equals(c.session as Int32Array, session_id);
  if (types !== undefined) {
    const set = new Set(types.map((type) => t.lookup(type)));
    tests.push((row) => set.has(c.type[row]!));
  }
  if (status !== undefined) tests.push((row) => c.status[row] === STATUS[status]);
  if (source !== undefined) equals(c.source as Int32Array, source);
  if (audit_level !== undefined) equals(c.audit as Int32Array, audit_level);
  if (parent_event_id !== undefined) tests.push((row) => t.parentId(row) === parent_event_id);
  if (from !== undefined) tests.push((row) => c.ts[row]! >= from);
  if (to !== undefined) tests.push((row) => c.ts[row]! < to);
  return (row) => tests.every((test) => test(row));
}

/** Index of the first row after `(ts, ord)` in a trail-ordered list of rows (`ord` is row + 1). */
export function firstAfter(t: EventTable, rows: readonly number[], ts: number, ord: number): number {
  const at = t.columns.ts;
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const r = rows[mid]!;
    if (at[r]! < ts || (at[r] === ts && r + 1 <= ord)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
