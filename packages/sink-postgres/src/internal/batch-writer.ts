import { pipeline } from 'node:stream/promises';
import type { Envelope } from '@obs/core';
import {
  applyToRunSummary,
  applyToSessionSummary,
  emptyRunSummary,
  emptySessionSummary,
  ensurePostgresPartitions,
  foldIntoRollups,
  POSTGRES_EVENT_COLUMNS,
  postgresEventsChannel,
  type RollupDeltaMap,
  uuidv7Ms,
} from '@obs/store-format';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { copyRow } from './copy-text.js';
import { upsertRollups } from './rollup-upsert.js';
import {
  type RunDelta,
  runParams,
  type SessionDelta,
  sessionParams,
  UPSERT_RUNS_SQL,
  UPSERT_SESSIONS_SQL,
} from './summary-upsert.js';

/** What the writer needs of an event: an `EventRecord` fits. */
export interface StoredEvent {
  readonly envelope: Envelope;
  readonly json: string;
}

const DAY_MS = 86_400_000;
const COPY_SQL = `COPY events (${POSTGRES_EVENT_COLUMNS.join(', ')}) FROM STDIN`;
const EXISTING_SQL = 'SELECT event_id::text AS id FROM events WHERE event_id = ANY($1::uuid[])';

/** The `COPY` text of a batch, in `POSTGRES_EVENT_COLUMNS` order. */
export function copyText(batch: readonly StoredEvent[]): string {
  let text = '';
  for (const { envelope: e, json } of batch) {
    text += copyRow([
      e.event_id,
      Date.parse(e.timestamp),
      e.event_type,
      e.source,
      e.run_id,
      e.session_id,
      e.parent_event_id,
      e.audit_level,
      e.status,
      e.duration_ms,
      json,
    ]);
  }
  return text;
}

/** Streams `text` into a `COPY … FROM STDIN` on `client`. */
export async function copyInto(client: pg.ClientBase, sql: string, text: string): Promise<void> {
  const stream = client.query(copyFrom(sql));
  await pipeline(async function* () {
    yield Buffer.from(text, 'utf8');
  }, stream);
}

/**
 * Writes batches on one connection, each in one transaction: the ids already stored are looked up
 * (one index probe each) and left out, the rest is `COPY`ed straight into the partitioned `events`
 * (the fastest way in, no staging table), then the run, session and stats-rollup deltas of exactly
 * those rows are merged, and a `NOTIFY` wakes live tails. A writer on another host committing one of
 * the same ids in between makes the `COPY` fail on the primary key (`23505`): the whole transaction
 * rolls back and is retried as transient, and the retry's lookup sees that id.
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
    await this.#ensureDays(client, [now]);
  }

  /** Commits the batch; returns how many events were new (re-sent `event_id`s are skipped). */
  async write(client: pg.ClientBase, batch: readonly StoredEvent[]): Promise<number> {
    await this.#ensureDays(
      client,
      batch.map((r) => uuidv7Ms(r.envelope.event_id)),
    );
    await client.query('BEGIN');
    try {
      const ids = batch.map((r) => r.envelope.event_id);
      const { rows } = await client.query<{ id: string }>(EXISTING_SQL, [ids]);
      const fresh = newEvents(batch, new Set(rows.map((r) => r.id)));
      if (fresh.length > 0) await copyInto(client, COPY_SQL, copyText(fresh));
      const { runs, sessions, rollups } = deltas(fresh);
      // one table after the other, rows in key order: writers on many hosts never deadlock
      if (runs.length > 0) await client.query(UPSERT_RUNS_SQL, runParams(runs));
      if (sessions.length > 0) await client.query(UPSERT_SESSIONS_SQL, sessionParams(sessions));
      await upsertRollups(client, rollups);
      await client.query(`NOTIFY ${postgresEventsChannel(this.#schema)}; COMMIT`);
      return fresh.length;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      // a partition dropped by retention meanwhile: find out again on the retry
      if ((error as { code?: string }).code === '23514') this.#days.clear();
      throw error;
    }
  }

  async #ensureDays(client: pg.ClientBase, times: readonly number[]): Promise<void> {
    const missing = new Set<number>();
    for (const ms of times) {
      const day = Math.floor(ms / DAY_MS);
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

/** The batch's events whose id is not stored yet, each id once (the first occurrence), in batch order. */
function newEvents(batch: readonly StoredEvent[], stored: ReadonlySet<string>): StoredEvent[] {
  const seen = new Set(stored);
  const out: StoredEvent[] = [];
  for (const record of batch) {
    if (seen.has(record.envelope.event_id)) continue;
    seen.add(record.envelope.event_id);
    out.push(record);
  }
  return out;
}

/**
 * Run, session and rollup deltas of the inserted events, by the rules of `rollup-rules.ts` and
 * `stats-rollup.ts`, in batch order.
 */
function deltas(inserted: readonly StoredEvent[]): {
  runs: RunDelta[];
  sessions: SessionDelta[];
  rollups: RollupDeltaMap;
} {
  const rollups: RollupDeltaMap = new Map();
  const runs = new Map<string, RunDelta>();
  const sessions = new Map<string, SessionDelta>();
  for (const { envelope: e } of inserted) {
    const ts = Date.parse(e.timestamp);
    foldIntoRollups(rollups, e, ts);
    let run = runs.get(e.run_id);
    if (run === undefined) {
      run = { ...emptyRunSummary(e, ts), run_id: e.run_id };
      runs.set(e.run_id, run);
    }
    applyToRunSummary(run, e, ts);
    if (e.session_id === null) continue;
    let session = sessions.get(e.session_id);
    if (session === undefined) {
      session = { ...emptySessionSummary(ts), session_id: e.session_id };
      sessions.set(e.session_id, session);
    }
    applyToSessionSummary(session, e, ts);
  }
  return { runs: [...runs.values()], sessions: [...sessions.values()], rollups };
}
