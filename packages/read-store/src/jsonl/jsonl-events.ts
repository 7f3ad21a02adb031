import type { Envelope } from '@obs/core';
import { parseTrailFileName } from '@obs/store-format';
import { type CursorPayload, decodeCursor, encodeCursor } from '../cursor.js';
import type { EventFilter, ParsedEventQuery } from '../query-schemas.js';
import type { Page, StoredEvent } from '../read-store.js';
import { invalidFilter } from '../read-store-error.js';
import { eventPredicate, firstAfter } from './event-predicate.js';
import { byTrailOrder, type IndexedEvent } from './indexed-event.js';
import { type JsonlIndex, runEvents } from './jsonl-index.js';

/** A stored event from an indexed line. */
export const storedOf = (e: IndexedEvent): StoredEvent => ({
  envelope: JSON.parse(e.json) as Envelope,
  json: e.json,
});

/** The smallest trail-ordered set of events that holds every match of `filter`. */
export function candidates(index: JsonlIndex, filter: EventFilter): readonly IndexedEvent[] {
  if (filter.run_id !== undefined) {
    const run = index.runs.get(filter.run_id);
    return run === undefined ? [] : runEvents(run);
  }
  if (filter.parent_event_id !== undefined) {
    return [...(index.byParent.get(filter.parent_event_id) ?? [])].sort(byTrailOrder);
  }
  if (filter.session_id !== undefined) {
    const session = index.sessions.get(filter.session_id);
    if (session === undefined) return [];
    if (!session.sorted) {
      session.events.sort(byTrailOrder);
      session.sorted = true;
    }
    return session.events;
  }
  return index.events;
}

/** A keyset page of a JSONL index, on `(ts, read order)`, with the SQLite backend's semantics. */
export function listIndexed(index: JsonlIndex, query: ParsedEventQuery): Page<StoredEvent> {
  const events = candidates(index, query);
  const matches = eventPredicate(query);
  const desc = query.order === 'desc';
  let i: number;
  if (query.cursor !== undefined) {
    const c = decodeCursor(query.cursor, { k: 'e', b: 'j' });
    if (c.o !== query.order)
      throw invalidFilter('cursor', 'this cursor belongs to a page of the other order');
    i = desc ? firstAfter(events, c.t!, c.i - 1) - 1 : firstAfter(events, c.t!, c.i);
  } else {
    i = desc ? events.length - 1 : 0;
  }
  const items: IndexedEvent[] = [];
  const step = desc ? -1 : 1;
  for (; i >= 0 && i < events.length && items.length <= query.limit; i += step) {
    const e = events[i]!;
    if (matches(e)) items.push(e);
  }
  const more = items.length > query.limit;
  if (more) items.length = query.limit;
  const last = items[items.length - 1];
  return {
    items: items.map(storedOf),
    next_cursor:
      more && last ? encodeCursor({ k: 'e', b: 'j', t: last.ts, i: last.ord, o: query.order }) : null,
  };
}

/** True when `e` lies after trail position `p` (a tail cursor made from another read of the trail). */
export function isAfter(e: IndexedEvent, p: NonNullable<CursorPayload['p']>): boolean {
  const at = p[e.stem];
  if (at === undefined) return true;
  if (at.file === e.file) return e.end > at.offset;
  const order = (key: string) => parseTrailFileName(key)?.order ?? '0';
  return order(e.file) > order(at.file);
}
