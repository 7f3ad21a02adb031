import { pipeline } from 'node:stream/promises';
import { ensurePostgresPartitions, POSTGRES_EVENT_COLUMNS, postgresEventsChannel } from '@obs/store-format';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { PreparedBatch } from './prepared-batch.js';
import { type LockedRollup, rollupKeyParams, rollupLockSql, storeRollups } from './rollup-upsert.js';
import { SUMMARY_PARAMS, withSummaryUpserts } from './summary-upsert.js';

const DAY_MS = 86_400_000;
const COPY_SQL = `COPY events (${POSTGRES_EVENT_COLUMNS.join(', ')}) FROM STDIN`;
const EXISTING_SQL = 'SELECT event_id::text AS id FROM events WHERE event_id = ANY($1::uuid[])';
/** Runs and sessions merged and the batch's stored rollup rows locked, in one round trip. */
const SUMMARIES_SQL = withSummaryUpserts(rollupLockSql(SUMMARY_PARAMS + 1));

/** What one {@link BatchWriter.write} did: committed `inserted` events, or found `stored` ids and rolled back. */
export type WriteOutcome = { inserted: number } | { stored: string[] };

/** Streams `data` (COPY text in UTF-8) into a `COPY … FROM STDIN` on `client`. */
export async function copyInto(client: pg.ClientBase, sql: string, data: Uint8Array): Promise<void> {
  const stream = client.query(copyFrom(sql));
  await pipeline(async function* () {
    yield Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  }, stream);
}

/**
 * Writes prepared batches on one connection, each in one transaction of five round trips: `BEGIN`,
 * `COPY` straight into the partitioned `events` (no lookup first: a batch is new in the common case),
 * one statement merging the run and session deltas and locking the stored rollup rows, one storing
 * the rollups, then `NOTIFY` and `COMMIT`. An id already stored (a re-sent batch, or a writer on
 * another host committing the same id meanwhile) makes the `COPY` fail on the primary key (`23505`):
 * the transaction rolls back and the stored ids are looked up and returned, for the host to prepare
 * the batch again without them.
 */
export class BatchWriter {
  readonly #schema: string;
  readonly #ahead: number;
  readonly #days = new Set<number>();

  constructor(schema: string, partitionsAhead: number) {
    this.#schema = schema;
    this.#ahead = partitionsAhead;
  }

  /** Creates today's partition and the ones ahead of it (once per process and day). */
  async prepare(client: pg.ClientBase, now = Date.now()): Promise<void> {
    await this.#ensureDays(client, [Math.floor(now / DAY_MS)]);
  }

  /** Commits the prepared batch, or rolls back and returns the ids of it already stored. */
  async write(client: pg.ClientBase, batch: PreparedBatch): Promise<WriteOutcome> {
    if (batch.ids.length === 0) return { inserted: 0 };
    await this.#ensureDays(client, batch.days);
    await client.query('BEGIN');
    try {
      await copyInto(client, COPY_SQL, batch.copy);
      // one table after the other, rows in key order: writers on many hosts never deadlock
      const locked = await client.query<LockedRollup>({
        name: 'obs-summaries',
        text: SUMMARIES_SQL,
        values: [...batch.runs, ...batch.sessions, ...rollupKeyParams(batch.rollups)],
      });
      await storeRollups(client, batch.rollups, locked.rows);
      await client.query(`NOTIFY ${postgresEventsChannel(this.#schema)}; COMMIT`);
      return { inserted: batch.ids.length };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      const code = (error as { code?: string }).code;
      // a partition dropped by retention meanwhile: find out again on the retry
      if (code === '23514') this.#days.clear();
      if (code !== '23505') throw error;
    }
    const { rows } = await client.query<{ id: string }>(EXISTING_SQL, [batch.ids]);
    return { stored: rows.map((r) => r.id) };
  }

  async #ensureDays(client: pg.ClientBase, days: readonly number[]): Promise<void> {
    const missing = new Set<number>();
    for (const day of days) {
      if (this.#days.has(day)) continue;
      for (let d = day; d <= day + this.#ahead; d++) if (!this.#days.has(d)) missing.add(d);
    }
    if (missing.size === 0) return;
    await ensurePostgresPartitions(
      client,
      [...missing].map((d) => d * DAY_MS),
    );
    for (const d of missing) this.#days.add(d);
  }
}
