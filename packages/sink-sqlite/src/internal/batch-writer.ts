import type { Envelope } from '@obs/core';
import {
  applyToRunSummary,
  applyToSessionSummary,
  emptyRunSummary,
  emptySessionSummary,
  foldIntoRollups,
  type RollupDeltaMap,
  SqliteRollupWriter,
  spanOperation,
} from '@obs/store-format';
import type Database from 'better-sqlite3';
import { EVENT_ROW_WIDTH, EventRowInserter } from './event-row-inserter.js';
import { KeyDictionary } from './key-dictionary.js';
import type { RunDelta, SessionDelta } from './summary-delta.js';
import { UPDATE_RUN_SQL, UPDATE_SESSION_SQL } from './summary-sql.js';

/** What the writer needs of an event: an `EventRecord` fits. */
export interface StoredEvent {
  readonly envelope: Envelope;
  readonly json: string;
}

/**
 * Writes batches of events, their run/session summaries and their stats rollups, one `BEGIN
 * IMMEDIATE` transaction each.
 */
export class BatchWriter {
  readonly #rows: EventRowInserter;
  readonly #updateRun: Database.Statement<[RunDelta]>;
  readonly #updateSession: Database.Statement<[SessionDelta]>;
  readonly #types: KeyDictionary;
  readonly #sources: KeyDictionary;
  readonly #runs: KeyDictionary;
  readonly #sessions: KeyDictionary;
  readonly #rollups: SqliteRollupWriter;
  readonly #transaction: (batch: readonly StoredEvent[]) => number;

  constructor(db: Database.Database) {
    this.#rows = new EventRowInserter(db);
    this.#updateRun = db.prepare(UPDATE_RUN_SQL);
    this.#updateSession = db.prepare(UPDATE_SESSION_SQL);
    this.#types = new KeyDictionary(db, 'event_types', 'type_key', 'event_type');
    this.#sources = new KeyDictionary(db, 'sources', 'source_key', 'source');
    this.#runs = new KeyDictionary(db, 'runs', 'run_key', 'run_id');
    this.#sessions = new KeyDictionary(db, 'sessions', 'session_key', 'session_id');
    this.#rollups = new SqliteRollupWriter(db);
    this.#transaction = db.transaction((batch: readonly StoredEvent[]) => this.#writeRows(batch)).immediate;
  }

  /** Commits the batch; returns how many events were new (re-delivered `event_id`s are skipped). */
  write(batch: readonly StoredEvent[]): number {
    const dictionaries = [this.#types, this.#sources, this.#runs, this.#sessions, this.#rollups];
    try {
      const inserted = this.#transaction(batch);
      for (const d of dictionaries) d.commit();
      return inserted;
    } catch (error) {
      for (const d of dictionaries) d.rollback();
      throw error;
    }
  }

  #writeRows(batch: readonly StoredEvent[]): number {
    const runs = new Map<number, RunDelta>();
    const sessions = new Map<number, SessionDelta>();
    const rollups: RollupDeltaMap = new Map();
    const values = new Array<unknown>(batch.length * EVENT_ROW_WIDTH);
    const times = new Float64Array(batch.length);
    const runKeys = new Array<number>(batch.length);
    const sessionKeys = new Array<number | null>(batch.length);
    let at = 0;
    for (let i = 0; i < batch.length; i++) {
      const record = batch[i]!;
      const e = record.envelope;
      const ts = Date.parse(e.timestamp);
      const runKey = this.#runs.keyOf(e.run_id);
      const sessionKey = e.session_id === null ? null : this.#sessions.keyOf(e.session_id);
      times[i] = ts;
      runKeys[i] = runKey;
      sessionKeys[i] = sessionKey;
      values[at++] = e.event_id;
      values[at++] = this.#types.keyOf(e.event_type);
      values[at++] = ts;
      values[at++] = this.#sources.keyOf(e.source);
      values[at++] = runKey;
      values[at++] = sessionKey;
      values[at++] = e.parent_event_id;
      values[at++] = e.audit_level;
      values[at++] = e.status;
      values[at++] = e.duration_ms;
      values[at++] = spanOperation(e);
      values[at++] = record.json;
    }
    const fresh = this.#rows.insert(values, batch.length);
    let inserted = 0;
    for (let i = 0; i < batch.length; i++) {
      if (fresh[i] === 0) continue;
      const e = batch[i]!.envelope;
      const ts = times[i]!;
      const runKey = runKeys[i]!;
      const sessionKey = sessionKeys[i]!;
      inserted++;
      foldIntoRollups(rollups, e, ts);
      let run = runs.get(runKey);
      if (run === undefined) {
        run = Object.assign(emptyRunSummary(e, ts), { key: runKey, session_key: null });
        runs.set(runKey, run);
      }
      applyToRunSummary(run, e, ts);
      if (sessionKey === null) continue;
      // the run's first session: the one applyToRunSummary took its session_id from
      if (run.session_key === null) run.session_key = sessionKey;
      let session = sessions.get(sessionKey);
      if (session === undefined) {
        session = Object.assign(emptySessionSummary(ts), { key: sessionKey });
        sessions.set(sessionKey, session);
      }
      applyToSessionSummary(session, e, ts);
    }
    for (const run of runs.values()) this.#updateRun.run(run);
    for (const session of sessions.values()) this.#updateSession.run(session);
    this.#rollups.write(rollups);
    return inserted;
  }
}
