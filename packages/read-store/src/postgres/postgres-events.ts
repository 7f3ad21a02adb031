import type { Envelope } from '@obs/core';
import type pg from 'pg';
import { decodeCursor, encodeCursor } from '../cursor.js';
import type { ParsedEventQuery } from '../query-schemas.js';
import type { Page, StoredEvent } from '../read-store.js';
import { invalidFilter, notFound } from '../read-store-error.js';
import { postgresEventWhere } from './postgres-where.js';
import { SqlParams, whereSql } from './sql-params.js';

/** A stored event from its canonical text (served as stored, never rebuilt). */
export const stored = (json: string): StoredEvent => ({ envelope: JSON.parse(json) as Envelope, json });

/** An event id is a UUID column: anything else cannot match, and must not reach the cast. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Event reads of a PostgreSQL store: keyset pages on `(ts, id)`, one event, children, a run's events. */
export class PostgresEvents {
  readonly #db: pg.Pool;

  constructor(db: pg.Pool) {
    this.#db = db;
  }

  async list(query: ParsedEventQuery): Promise<Page<StoredEvent>> {
    const p = new SqlParams();
    const conditions = postgresEventWhere(query, p);
    const desc = query.order === 'desc';
    if (query.cursor !== undefined) {
      const c = decodeCursor(query.cursor, { k: 'e', b: 'p' });
      if (c.o !== query.order)
        throw invalidFilter('cursor', 'this cursor belongs to a page of the other order');
      conditions.push(`(ts, id) ${desc ? '<' : '>'} (${p.add(c.t)}::int8, ${p.add(c.i)}::int8)`);
    }
    const dir = desc ? 'DESC' : 'ASC';
    const { rows } = await this.#db.query<{ id: number; ts: number; json: string }>(
      `SELECT id, ts, json FROM events ${whereSql(conditions)} ORDER BY ts ${dir}, id ${dir} LIMIT ${p.add(query.limit + 1)}`,
      p.values,
    );
    const more = rows.length > query.limit;
    if (more) rows.length = query.limit;
    const last = rows[rows.length - 1];
    return {
      items: rows.map((r) => stored(r.json)),
      next_cursor:
        more && last ? encodeCursor({ k: 'e', b: 'p', t: last.ts, i: last.id, o: query.order }) : null,
    };
  }

  async get(eventId: string): Promise<StoredEvent> {
    if (!UUID.test(eventId)) throw notFound('event', eventId);
    const { rows } = await this.#db.query<{ json: string }>(
      'SELECT json FROM events WHERE event_id = $1::uuid',
      [eventId],
    );
    if (rows[0] === undefined) throw notFound('event', eventId);
    return stored(rows[0].json);
  }

  async children(eventId: string, limit: number): Promise<StoredEvent[]> {
    const { rows } = await this.#db.query<{ json: string }>(
      'SELECT json FROM events WHERE parent_event_id = $1 ORDER BY ts, id LIMIT $2',
      [eventId, limit],
    );
    return rows.map((r) => stored(r.json));
  }

  /** The first `limit` events of a run in trail order; throws `NOT_FOUND` for an unknown run. */
  async ofRun(runId: string, limit: number): Promise<Envelope[]> {
    const { rows } = await this.#db.query<{ json: string }>(
      'SELECT json FROM events WHERE run_id = $1 ORDER BY ts, id LIMIT $2',
      [runId, limit],
    );
    if (rows.length === 0) throw notFound('run', runId);
    return rows.map((r) => JSON.parse(r.json) as Envelope);
  }
}
