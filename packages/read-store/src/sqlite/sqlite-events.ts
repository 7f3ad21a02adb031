import type { Envelope } from '@obs/core';
import { decodeCursor, encodeCursor } from '../cursor.js';
import type { EventFilter, ParsedEventQuery } from '../query-schemas.js';
import type { Page, StoredEvent } from '../read-store.js';
import { invalidFilter, notFound } from '../read-store-error.js';
import { eventWhere, whereSql } from './event-where.js';
import type { Statements } from './statements.js';

interface EventRow {
  id: number;
  ts: number;
  json: string;
}

/** A stored event from its canonical text (the text is served as stored, never rebuilt). */
export const stored = (json: string): StoredEvent => ({ envelope: JSON.parse(json) as Envelope, json });

/** Event reads of a SQLite store: keyset pages on `(ts, id)`, one event, children, a run's events. */
export class SqliteEvents {
  readonly #statements: Statements;

  constructor(statements: Statements) {
    this.#statements = statements;
  }

  list(query: ParsedEventQuery): Page<StoredEvent> {
    const where = eventWhere(query, this.#statements);
    if (where === null) return { items: [], next_cursor: null };
    const desc = query.order === 'desc';
    if (query.cursor !== undefined) {
      const c = decodeCursor(query.cursor, { k: 'e', b: 's' });
      if (c.o !== query.order) throw orderMismatch();
      where.conditions.push(desc ? 'ts <= ? AND (ts < ? OR id < ?)' : 'ts >= ? AND (ts > ? OR id > ?)');
      where.params.push(c.t, c.t, c.i);
    }
    const dir = desc ? 'DESC' : 'ASC';
    const rows = this.#statements
      .get(
        `SELECT id, ts, json FROM event_rows ${whereSql(where.conditions)} ORDER BY ts ${dir}, id ${dir} LIMIT ?`,
      )
      .all(...where.params, query.limit + 1) as EventRow[];
    const more = rows.length > query.limit;
    if (more) rows.length = query.limit;
    const last = rows[rows.length - 1];
    return {
      items: rows.map((r) => stored(r.json)),
      next_cursor:
        more && last ? encodeCursor({ k: 'e', b: 's', t: last.ts, i: last.id, o: query.order }) : null,
    };
  }

  get(eventId: string): StoredEvent {
    const row = this.#statements.get('SELECT json FROM event_rows WHERE event_id = ?').get(eventId) as
      | { json: string }
      | undefined;
    if (row === undefined) throw notFound('event', eventId);
    return stored(row.json);
  }

  children(eventId: string, limit: number): StoredEvent[] {
    const rows = this.#statements
      .get('SELECT json FROM event_rows WHERE parent_event_id = ? ORDER BY ts, id LIMIT ?')
      .all(eventId, limit) as { json: string }[];
    return rows.map((r) => stored(r.json));
  }

  /** The first `limit` events of a run in trail order; throws `NOT_FOUND` for an unknown run. */
  ofRun(runId: string, limit: number): Envelope[] {
    const key = this.#statements.key('runs', runId);
    if (key === undefined) throw notFound('run', runId);
    // plucked: one string per row, no row object to allocate and collect (a 50k-event run)
    const texts = this.#statements
      .plucked('SELECT json FROM event_rows WHERE run_key = ? ORDER BY ts, id LIMIT ?')
      .all(key, limit) as string[];
    if (texts.length === 0) throw notFound('run', runId);
    const events: Envelope[] = new Array(texts.length);
    for (let i = 0; i < texts.length; i++) events[i] = JSON.parse(texts[i]!) as Envelope;
    return events;
  }

  /** The highest row id: every event committed so far has an id at most this. */
  maxId(): number {
    return (this.#statements.get('SELECT COALESCE(MAX(id), 0) AS m FROM event_rows').get() as { m: number })
      .m;
  }

  /** Events committed after row `after` up to `upTo`, in commit order, that match `filter`. */
  committedBetween(
    filter: EventFilter,
    after: number,
    upTo: number,
    limit: number,
  ): { id: number; json: string }[] {
    const where = eventWhere(filter, this.#statements);
    if (where === null) return [];
    where.conditions.push('id > ? AND id <= ?');
    where.params.push(after, upTo);
    return this.#statements
      .get(`SELECT id, json FROM event_rows ${whereSql(where.conditions)} ORDER BY id LIMIT ?`)
      .all(...where.params, limit) as { id: number; json: string }[];
  }
}

function orderMismatch(): Error {
  return invalidFilter('cursor', 'this cursor belongs to a page of the other order');
}
