import { existsSync } from 'node:fs';
import { type Envelope, OBS_ERROR_CODES, ObsError } from '@obs/core';
import {
  applyToRunSummary,
  applyToSessionSummary,
  emptyRunSummary,
  emptySessionSummary,
  ROLLUP_TIERS_MS,
  type RunSummaryState,
  type SessionSummaryState,
} from '@obs/store-format';
import type Database from 'better-sqlite3';
import { openDatabase } from './internal/open-database.js';
import { parseSqliteSinkOptions } from './options.js';

/** Options of {@link pruneSqlite}. */
export interface PruneSqliteOptions {
  /**
   * Events before the start of this time's UTC day (ISO time or epoch ms) are removed: the cut is
   * on a day boundary so that each rollup bucket goes with all of its events or stays whole.
   */
  before: string | number;
  /** Events deleted per transaction (default 2000): each holds the write lock for a few milliseconds. */
  chunkRows?: number;
  /** Free pages returned to the file system after each chunk (`PRAGMA incremental_vacuum(N)`, default 1024). */
  vacuumPages?: number;
  /** Lock wait per step, in ms (default 5000): a live writer holds the lock only for its batch. */
  busyTimeoutMs?: number;
  /** Called after each step. */
  onProgress?: (progress: PruneSqliteProgress) => void;
}

/** Where a prune stands. */
export interface PruneSqliteProgress {
  events: number;
  runs: { updated: number; deleted: number };
  sessions: { updated: number; deleted: number };
  /** Rollup rows removed (buckets of every width that end by the cutoff). */
  rollups: number;
  /** Pages given back to the file system. */
  freedPages: number;
}

/** What a prune did. */
export interface PruneSqliteResult extends PruneSqliteProgress {
  /** The cutoff applied: the start of the UTC day of `before` (epoch ms). */
  before: number;
  /** `incremental` when the file reclaims space as it goes; otherwise freed pages stay in the file for reuse. */
  autoVacuum: 'none' | 'full' | 'incremental';
}

const DAY_MS = ROLLUP_TIERS_MS.at(-1)!;

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Removes the events before a time from a SQLite store written by this sink, in short transactions
 * a live writer interleaves with, and keeps the run and session summaries equal to what the
 * remaining events give (by the same rules the writer applies): a run or session left with no
 * events is deleted, one left with fewer is recomputed from them, and the stats rollups of the
 * removed days go with them. Space goes back to the file
 * system page by page when the file uses `auto_vacuum = INCREMENTAL` (files this sink creates do).
 */
export async function pruneSqlite(path: string, options: PruneSqliteOptions): Promise<PruneSqliteResult> {
  const asked = typeof options.before === 'number' ? options.before : Date.parse(options.before);
  if (!Number.isFinite(asked)) {
    throw new ObsError(
      OBS_ERROR_CODES.VALIDATION,
      `before must be an ISO time or epoch ms, got "${String(options.before)}"`,
    );
  }
  // the start of the UTC day: every rollup bucket (minute, hour, day) is then kept or removed whole
  const before = Math.floor(asked / DAY_MS) * DAY_MS;
  if (!existsSync(path)) throw new ObsError(OBS_ERROR_CODES.VALIDATION, `no SQLite store at "${path}"`);
  const chunkRows = options.chunkRows ?? 2000;
  const vacuumPages = options.vacuumPages ?? 1024;
  const settings = parseSqliteSinkOptions({
    path,
    busyTimeoutMs: options.busyTimeoutMs ?? 5000,
    createDirectory: false,
  });
  const { db } = openDatabase(settings);
  const progress: PruneSqliteProgress = {
    events: 0,
    runs: { updated: 0, deleted: 0 },
    sessions: { updated: 0, deleted: 0 },
    rollups: 0,
    freedPages: 0,
  };
  try {
    const mode =
      (['none', 'full', 'incremental'] as const)[Number(db.pragma('auto_vacuum', { simple: true }))] ??
      'none';
    const runs = new Set<number>();
    const sessions = new Set<number>();
    const deleteChunk = db.prepare<[number, number], { run_key: number; session_key: number | null }>(
      `DELETE FROM event_rows WHERE id IN (SELECT id FROM event_rows WHERE ts < ? ORDER BY ts LIMIT ?)
         RETURNING run_key, session_key`,
    );
    const step = db.transaction(() => deleteChunk.all(before, chunkRows)).immediate;
    for (;;) {
      const deleted = step();
      for (const row of deleted) {
        runs.add(row.run_key);
        if (row.session_key !== null) sessions.add(row.session_key);
      }
      progress.events += deleted.length;
      if (mode === 'incremental') progress.freedPages += vacuum(db, vacuumPages);
      options.onProgress?.(structuredClone(progress));
      if (deleted.length < chunkRows) break;
      await yieldToLoop();
    }
    await rebuildSummaries(db, runs, sessions, progress, options.onProgress);
    const deleteRollups = db.prepare<[number, number, number]>(
      `DELETE FROM stats_rollups WHERE (bucket_ms, bucket_ts, dim_key) IN
         (SELECT bucket_ms, bucket_ts, dim_key FROM stats_rollups WHERE bucket_ms = ? AND bucket_ts < ? LIMIT ?)`,
    );
    for (const width of ROLLUP_TIERS_MS) {
      for (;;) {
        const { changes } = db.transaction(() => deleteRollups.run(width, before, chunkRows)).immediate();
        progress.rollups += changes;
        if (changes < chunkRows) break;
        await yieldToLoop();
      }
    }
    if (mode === 'incremental') {
      for (let freed = vacuum(db, vacuumPages); freed > 0; freed = vacuum(db, vacuumPages)) {
        progress.freedPages += freed;
        await yieldToLoop();
      }
    }
    return { ...progress, before, autoVacuum: mode };
  } finally {
    db.close();
  }
}

/** One bounded `incremental_vacuum` step; returns the pages it freed. */
function vacuum(db: Database.Database, pages: number): number {
  const free = Number(db.pragma('freelist_count', { simple: true }));
  if (free === 0) return 0;
  db.pragma(`incremental_vacuum(${pages})`);
  return free - Number(db.pragma('freelist_count', { simple: true }));
}

const SUMMARY_SET = `first_ts = @first_ts, last_ts = @last_ts, event_count = @event_count, error_count = @error_count,
  llm_call_count = @llm_call_count, prompt_tokens = @prompt_tokens, completion_tokens = @completion_tokens,
  total_tokens = @total_tokens, cost_usd = @cost_usd`;

/** Recomputes each touched run and session from its remaining events, 100 per transaction. */
async function rebuildSummaries(
  db: Database.Database,
  runs: Set<number>,
  sessions: Set<number>,
  progress: PruneSqliteProgress,
  onProgress: PruneSqliteOptions['onProgress'],
): Promise<void> {
  const runEvents = db.prepare<[number], { json: string; ts: number }>(
    'SELECT json, ts FROM event_rows WHERE run_key = ? ORDER BY ts, id',
  );
  const sessionEvents = db.prepare<[number], { json: string; ts: number }>(
    'SELECT json, ts FROM event_rows WHERE session_key = ? ORDER BY ts, id',
  );
  const sessionKey = db.prepare<[string], { key: number }>(
    'SELECT session_key AS key FROM sessions WHERE session_id = ?',
  );
  const deleteRun = db.prepare<[number]>('DELETE FROM runs WHERE run_key = ?');
  const deleteSession = db.prepare<[number]>('DELETE FROM sessions WHERE session_key = ?');
  const setRun = db.prepare<[RunSummaryState & { key: number; session_key: number | null }]>(
    `UPDATE runs SET ${SUMMARY_SET}, source = @source, session_id = @session_id, session_key = @session_key,
      started_ts = @started_ts, ended_ts = @ended_ts, status = @status, reported_duration_ms = @reported_duration_ms
     WHERE run_key = @key`,
  );
  const setSession = db.prepare<[SessionSummaryState & { key: number }]>(
    `UPDATE sessions SET ${SUMMARY_SET}, max_turn_number = @max_turn_number WHERE session_key = @key`,
  );
  const rebuildRun = (key: number) => {
    const rows = runEvents.all(key);
    if (rows.length === 0) {
      deleteRun.run(key);
      progress.runs.deleted++;
      return;
    }
    let state: RunSummaryState | undefined;
    for (const { json, ts } of rows) {
      const e = JSON.parse(json) as Envelope;
      state ??= emptyRunSummary(e, ts);
      applyToRunSummary(state, e, ts);
    }
    const session = state!.session_id === null ? null : (sessionKey.get(state!.session_id)?.key ?? null);
    setRun.run({ ...state!, key, session_key: session });
    progress.runs.updated++;
  };
  const rebuildSession = (key: number) => {
    const rows = sessionEvents.all(key);
    if (rows.length === 0) {
      deleteSession.run(key);
      progress.sessions.deleted++;
      return;
    }
    const state = emptySessionSummary(rows[0]!.ts);
    for (const { json, ts } of rows) applyToSessionSummary(state, JSON.parse(json) as Envelope, ts);
    setSession.run({ ...state, key });
    progress.sessions.updated++;
  };
  const inChunks = async (keys: Set<number>, rebuild: (key: number) => void) => {
    const all = [...keys];
    for (let i = 0; i < all.length; i += 100) {
      db.transaction(() => {
        for (const key of all.slice(i, i + 100)) rebuild(key);
      }).immediate();
      onProgress?.(structuredClone(progress));
      await yieldToLoop();
    }
  };
  await inChunks(runs, rebuildRun);
  await inChunks(sessions, rebuildSession);
}
