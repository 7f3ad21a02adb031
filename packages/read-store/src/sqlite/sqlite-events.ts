import type { Envelope } from '@obs/core';
import { decodeCursor, encodeCursor } from '../cursor.js';
import type { EventFilter, ParsedEventQuery } from '../query-schemas.js';
import type { Page, StoredEvent } from '../read-store.js';
import { invalidFilter, notFound } from '../read-store-error.js';
import { chunkedLoader, TRACE_LOAD_CHUNK, type TraceTreeInput, traceTreeColumns } from '../trace-tree.js';
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

  /**
   * The first `limit` events of a run in trail order as tree columns, read from the indexed
   * columns (`truncated` when the run has more); `read` runs each later chunked read of the
   * events' JSON (the store wraps it in its checks). Throws `NOT_FOUND` for an unknown run.
   */
  runTree(
    runId: string,
    limit: number,
    read: <T>(fn: () => T) => T,
  ): { input: TraceTreeInput; truncated: boolean } {
    const key = this.#statements.key('runs', runId);
    if (key === undefined) throw notFound('run', runId);
    const rows = this.#statements
      .raw(
        'SELECT id, event_id, parent_event_id, ts, type_key, duration_ms, operation FROM event_rows ' +
          'WHERE run_key = ? ORDER BY ts, id LIMIT ?',
      )
      .all(key, limit + 1) as [number, string, string | null, number, number, number | null, string | null][];
    if (rows.length === 0) throw notFound('run', runId);
    const truncated = rows.length > limit;
    if (truncated) rows.length = limit;
    const types = new Map(
      this.#statements.raw('SELECT type_key, event_type FROM event_types').all() as [number, string][],
    );
    const n = rows.length;
    const ids = new Float64Array(n);
    const input = traceTreeColumns(n);
    for (let i = 0; i < n; i++) {
      const [id, eventId, parent, ts, typeKey, duration, operation] = rows[i]!;
      const type = types.get(typeKey)!;
      ids[i] = id;
      input.event_id[i] = eventId;
      input.parent_event_id[i] = parent;
      input.ts[i] = ts;
      input.event_type[i] = type;
      input.duration_ms[i] = duration;
      input.name[i] = operation ?? type;
    }
    const load = chunkedLoader(n, (first, end) => read(() => this.#jsonOfIds(ids, first, end)));
    return { input: { ...input, load }, truncated };
  }

  /** Envelopes of rows `ids[first..end)`, in that order; throws `NOT_FOUND` for one pruned since. */
  #jsonOfIds(ids: Float64Array, first: number, end: number): Envelope[] {
    const want = Array.from(ids.subarray(first, first + TRACE_LOAD_CHUNK));
    while (want.length < TRACE_LOAD_CHUNK) want.push(-1);
    const rows = this.#statements.raw(JSON_OF_IDS).all(...want) as [number, string][];
    const json = new Map(rows);
    const out: Envelope[] = new Array(end - first);
    for (let i = first; i < end; i++) {
      const text = json.get(ids[i]!);
      if (text === undefined) throw notFound('event', `row ${ids[i]}`);
      out[i - first] = JSON.parse(text) as Envelope;
    }
    return out;
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

const JSON_OF_IDS = `SELECT id, json FROM event_rows WHERE id IN (${Array(TRACE_LOAD_CHUNK).fill('?').join(', ')})`;

function orderMismatch(): Error {
  return invalidFilter('cursor', 'this cursor belongs to a page of the other order');
}
