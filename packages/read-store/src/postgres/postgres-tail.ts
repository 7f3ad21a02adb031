import { postgresEventsChannel } from '@obs/store-format';
import pg from 'pg';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { TAIL_PAGE, yieldToLoop } from '../internal/yield-to-loop.js';
import type { ParsedTailOptions } from '../query-schemas.js';
import type { TailedEvent } from '../read-store.js';
import { stored } from './postgres-events.js';
import { postgresEventWhere } from './postgres-where.js';
import { SqlParams, whereSql } from './sql-params.js';

/** Longest wait without a notification before the tail looks anyway (a writer of another obs version, a lost notification). */
const FALLBACK_POLL_MS = 1_000;
/** Rows below the oldest running transaction: every transaction that wrote them has ended, so none is skipped. */
const SETTLED = 'xid < pg_snapshot_xmin(pg_current_snapshot())';

/** Where a tail stands: after row `(xid, id)`; `skip` holds ids already visible at the start above it. */
interface TailPosition {
  xid: number;
  id: number;
  skip: Set<string>;
}

/**
 * The live tail of a PostgreSQL store. Writers `NOTIFY` after each commit; the tail `LISTEN`s on its
 * own connection and reads rows in `(xid, id)` order, but only those of transactions older than the
 * oldest one still running: a transaction that began earlier but commits later is read when it
 * commits, never skipped (a plain sequence would skip it).
 */
export async function* postgresTail(
  pool: pg.Pool,
  config: pg.ClientConfig,
  schema: string,
  options: ParsedTailOptions,
  isOpen: () => boolean,
): AsyncGenerator<TailedEvent> {
  const listener = new pg.Client(config);
  let wake: (() => void) | undefined;
  let pending = false;
  const notify = () => {
    pending = true;
    wake?.();
  };
  listener.on('notification', notify);
  listener.on('error', notify);
  const abort = () => notify();
  options.signal?.addEventListener('abort', abort);
  try {
    await listener.connect();
    await listener.query(`LISTEN ${postgresEventsChannel(schema)}`);
    const at = await start(pool, options.since);
    while (!options.signal?.aborted && isOpen()) {
      pending = false;
      const rows = await settledAfter(pool, options, at);
      for (const row of rows) {
        at.xid = row.xid;
        at.id = row.id;
        if (at.skip.has(row.event_id)) continue;
        yield { ...stored(row.json), cursor: encodeCursor({ k: 't', b: 'p', t: row.xid, i: row.id }) };
        if (options.signal?.aborted) return;
      }
      if (rows.length === TAIL_PAGE) {
        await yieldToLoop();
        continue;
      }
      if (pending) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(options.intervalMs, FALLBACK_POLL_MS));
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  } finally {
    options.signal?.removeEventListener('abort', abort);
    await listener.end().catch(() => {});
  }
}

async function start(pool: pg.Pool, since: string | undefined): Promise<TailPosition> {
  if (since !== undefined) {
    const c = decodeCursor(since, { k: ['t', 'e'], b: 'p' }, 'since');
    if (c.k === 't') return { xid: c.t ?? 0, id: c.i, skip: new Set() };
    // a page cursor names a row: start after it in commit order (rows of its transaction, then later ones)
    const { rows } = await pool.query<{ xid: string | null }>(
      `SELECT COALESCE((SELECT xid FROM events WHERE id = $1::int8),
         (SELECT min(xid) FROM events WHERE id > $1::int8))::text AS xid`,
      [c.i],
    );
    return { xid: Number(rows[0]?.xid ?? 0), id: c.i, skip: new Set() };
  }
  // "from now on": rows of transactions still running now, or committed above the horizon, that are
  // already visible are remembered and skipped; everything committed later is delivered
  const client = await pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    const { rows } = await client.query<{ xmin: string }>(
      'SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin',
    );
    const xmin = Number(rows[0]!.xmin);
    const seen = await client.query<{ event_id: string }>(
      'SELECT event_id::text AS event_id FROM events WHERE xid >= $1::text::xid8',
      [String(xmin)],
    );
    await client.query('COMMIT');
    return { xid: xmin, id: 0, skip: new Set(seen.rows.map((r) => r.event_id)) };
  } finally {
    client.release();
  }
}

async function settledAfter(
  pool: pg.Pool,
  options: ParsedTailOptions,
  at: TailPosition,
): Promise<{ xid: number; id: number; event_id: string; json: string }[]> {
  const p = new SqlParams();
  const conditions = postgresEventWhere(options.filter, p);
  conditions.push(`(xid, id) > (${p.add(String(at.xid))}::text::xid8, ${p.add(at.id)}::int8)`, SETTLED);
  const { rows } = await pool.query<{ xid: string; id: number; event_id: string; json: string }>(
    `SELECT xid::text AS xid, id, event_id::text AS event_id, json FROM events ${whereSql(conditions)}
     ORDER BY xid, id LIMIT ${TAIL_PAGE}`,
    p.values,
  );
  return rows.map((r) => ({ ...r, xid: Number(r.xid) }));
}
