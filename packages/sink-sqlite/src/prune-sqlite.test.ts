import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { makeRecord } from '@obs/core/testing';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pruneSqlite } from './prune-sqlite.js';
import { createSqliteSink } from './sqlite-sink.js';
import { fixture, tempDir } from './test/fixtures.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

const CUTOFF = Date.UTC(2026, 0, 1);
const OLD = Date.UTC(2025, 5, 1);

/** 20k events before the cutoff in 100 old runs, and 10 runs that straddle it (10 old events, 10 after each). */
async function seed(path: string): Promise<void> {
  const sink = createSqliteSink({ path, checkpoint: 'writer' });
  const at = (ms: number) => ({ timestamp: new Date(ms).toISOString() });
  let seq = 0;
  for (let b = 0; b < 20; b++) {
    const batch = Array.from({ length: 1000 }, (_, i) =>
      makeRecord(++seq, {
        run_id: `old-${(b * 1000 + i) % 100}`,
        session_id: `old-s-${i % 5}`,
        ...at(OLD + seq),
      }),
    );
    await sink.write(batch);
  }
  for (let r = 0; r < 10; r++) {
    await sink.write(
      Array.from({ length: 20 }, (_, i) =>
        makeRecord(++seq, {
          run_id: `mix-${r}`,
          session_id: 'mixed',
          ...(i === 19 ? { event_type: 'run.finished', payload: { outcome: 'success' } } : {}),
          ...at(i < 10 ? CUTOFF - 1000 + i : CUTOFF + i),
        }),
      ),
    );
  }
  await sink.close();
}

/** Every summary row against an aggregate of its remaining events. */
function inconsistencies(
  db: Database.Database,
  table: 'runs' | 'sessions',
  key: 'run_key' | 'session_key',
): unknown[] {
  return db
    .prepare(
      `SELECT s.${key}, s.event_count, a.n, s.first_ts, a.first, s.last_ts, a.last FROM ${table} s
       LEFT JOIN (SELECT ${key} AS k, COUNT(*) AS n, MIN(ts) AS first, MAX(ts) AS last FROM event_rows GROUP BY ${key}) a
       ON a.k = s.${key}
       WHERE a.n IS NULL OR a.n != s.event_count OR a.first != s.first_ts OR a.last != s.last_ts`,
    )
    .all();
}

describe('pruneSqlite', () => {
  it('removes old events while a live writer goes on: nothing lost, summaries consistent, space reclaimed', {
    timeout: 120_000,
  }, async () => {
    const path = join(dir, 'obs.db');
    await seed(path);
    const sizeBefore = statSync(path).size;
    const writer = spawn(process.execPath, [fixture('writer.mjs'), path, '0', '30000'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    writer.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    const exited = new Promise<number | null>((resolve) => writer.on('exit', resolve));
    // prune once the writer is committing, so the two contend for the lock
    const probe = new Database(path, { readonly: true });
    const live = probe.prepare<[number], { n: number }>('SELECT COUNT(*) AS n FROM event_rows WHERE ts >= ?');
    for (let i = 0; i < 600 && live.get(CUTOFF + 1000)!.n === 0; i++)
      await new Promise((r) => setTimeout(r, 25));
    probe.close();
    expect(writer.exitCode).toBeNull();
    const steps: number[] = [];
    const result = await pruneSqlite(path, {
      before: CUTOFF,
      chunkRows: 500,
      onProgress: (p) => steps.push(p.events),
    });
    expect(await exited).toBe(0);
    const stats = JSON.parse(out) as { written: number; failed: number; dropped: number };
    expect(stats).toMatchObject({ written: 30_000, failed: 0, dropped: 0 });
    expect(result).toMatchObject({
      events: 20_100,
      autoVacuum: 'incremental',
      runs: { deleted: 100, updated: 10 },
    });
    expect(result.sessions).toEqual({ deleted: 5, updated: 1 });
    expect(steps.length).toBeGreaterThan(40); // many short transactions, not one long one
    expect(result.freedPages).toBeGreaterThan(0);
    const db = new Database(path, { readonly: true });
    try {
      expect(db.prepare('SELECT COUNT(*) AS n FROM event_rows WHERE ts < ?').get(CUTOFF)).toEqual({ n: 0 });
      expect(db.prepare('SELECT COUNT(*) AS n FROM event_rows').get()).toEqual({ n: 30_000 + 100 });
      expect(inconsistencies(db, 'runs', 'run_key')).toEqual([]);
      expect(inconsistencies(db, 'sessions', 'session_key')).toEqual([]);
      // the rollups hold exactly the remaining events, at every width
      for (const width of [60_000, 3_600_000, 86_400_000]) {
        expect(
          db.prepare('SELECT SUM(event_count) AS n FROM stats_rollups WHERE bucket_ms = ?').get(width),
        ).toEqual({
          n: 30_100,
        });
      }
      expect(db.prepare("SELECT status, started_ts FROM runs WHERE run_id = 'mix-3'").get()).toEqual({
        status: 'success',
        started_ts: null,
      });
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      db.close();
    }
    expect(statSync(path).size).toBeLessThan(sizeBefore + 30_000 * 400);
  });

  it('refuses a bad time and a missing store, and a rerun has nothing left to do', async () => {
    await expect(pruneSqlite(join(dir, 'none.db'), { before: CUTOFF })).rejects.toThrow(/no SQLite store/);
    const path = join(dir, 'obs.db');
    await seed(path);
    await expect(pruneSqlite(path, { before: 'last tuesday' })).rejects.toThrow(/ISO time/);
    await pruneSqlite(path, { before: CUTOFF });
    expect(await pruneSqlite(path, { before: CUTOFF })).toMatchObject({
      events: 0,
      runs: { updated: 0, deleted: 0 },
    });
  });
});
