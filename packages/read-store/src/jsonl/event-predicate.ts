import type { EventFilter } from '../query-schemas.js';
import type { IndexedEvent } from './indexed-event.js';

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

/** The test an event must pass to match every given filter. */
export function eventPredicate(filter: EventFilter): (e: IndexedEvent) => boolean {
  const tests: ((e: IndexedEvent) => boolean)[] = [];
  const { run_id, session_id, types, status, source, audit_level, parent_event_id, from, to, text } = filter;
  if (run_id !== undefined) tests.push((e) => e.run_id === run_id);
  if (session_id !== undefined) tests.push((e) => e.session_id === session_id);
  if (types !== undefined) {
    const set = new Set(types);
    tests.push((e) => set.has(e.event_type));
  }
  if (status !== undefined) tests.push((e) => e.status === status);
  if (source !== undefined) tests.push((e) => e.source === source);
  if (audit_level !== undefined) tests.push((e) => e.audit_level === audit_level);
  if (parent_event_id !== undefined) tests.push((e) => e.parent_event_id === parent_event_id);
  if (from !== undefined) tests.push((e) => e.ts >= from);
  if (to !== undefined) tests.push((e) => e.ts < to);
  if (text !== undefined) {
    const contains = asciiContains(text);
    tests.push((e) => contains(e.json));
  }
  return (e) => tests.every((t) => t(e));
}

/** Index of the first event after `(ts, ord)` in a trail-ordered array. */
export function firstAfter(events: readonly IndexedEvent[], ts: number, ord: number): number {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const e = events[mid]!;
    if (e.ts < ts || (e.ts === ts && e.ord <= ord)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
