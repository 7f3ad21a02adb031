import { existsSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { makeRecord } from '@obs/core/testing';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteSink } from './sqlite-sink.js';
import { built } from './test/built.js';
import { tempDir } from './test/fixtures.js';

// every file sink starts the checkpoint thread: see test/built.ts
const { createSqliteSink } = await built<typeof import('./index.js')>('index.js');

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
});
afterEach(() => cleanup());

const size = (path: string) => (existsSync(path) ? statSync(path).size : 0);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Writes 40 batches of 250 events with short pauses, as a live agent would; returns the largest WAL seen. */
async function writeWithPauses(sink: SqliteSink, path: string): Promise<number> {
  let largestWal = 0;
  for (let b = 0; b < 40; b++) {
    await sink.write(
      Array.from({ length: 250 }, (_, i) => makeRecord(b * 250 + i + 1, { run_id: `run-${b % 4}` })),
    );
    largestWal = Math.max(largestWal, size(`${path}-wal`));
    await pause(15);
  }
  return largestWal;
}

describe('WAL checkpoints', () => {
  it('run on their own thread: with the writer backstop off, the WAL stays small and the file fills', async () => {
    const path = join(dir, 'background.db');
    const sink = createSqliteSink({ path, walAutocheckpointPages: 0, checkpointIntervalMs: 2 });
    const largestWal = await writeWithPauses(sink, path);
    const fileWhileOpen = size(path);
    await sink.close();
    // the last connection to close (the writer's or the thread's) checkpointed and removed the WAL
    expect(existsSync(`${path}-wal`)).toBe(false);
    // 10k events are ~6 MB; the thread copied them into the database file while the sink was open
    expect(fileWhileOpen).toBeGreaterThan(4_000_000);
    expect(largestWal).toBeLessThan(fileWhileOpen / 4);
    const db = new Database(path, { readonly: true });
    expect(db.prepare('SELECT count(*) FROM event_rows').pluck().get()).toBe(10_000);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });

  it("are the writer's alone with checkpoint: 'writer' (and none at all with its backstop off)", async () => {
    const path = join(dir, 'writer.db');
    const sink = createSqliteSink({ path, checkpoint: 'writer', walAutocheckpointPages: 0 });
    const largestWal = await writeWithPauses(sink, path);
    // nothing copied the WAL into the file while open: every page is still in the WAL
    expect(largestWal).toBeGreaterThan(4_000_000);
    expect(size(path)).toBeLessThan(largestWal / 4);
    await sink.close();
    const db = new Database(path, { readonly: true });
    expect(db.prepare('SELECT count(*) FROM event_rows').pluck().get()).toBe(10_000);
    db.close();
  });

  it('leave the sink writing, and say so in health, when the checkpoint thread cannot run', async () => {
    const path = join(dir, 'gone.db');
    const sink = createSqliteSink({ path });
    // the writer keeps its open file; the thread, still starting, finds no file to open
    rmSync(path);
    for (let i = 0; i < 100 && sink.health?.().detail === undefined; i++) await pause(50);
    expect(sink.health?.()).toEqual({
      ok: true,
      detail: 'the checkpoint thread stopped: the writer checkpoints alone',
    });
    await sink.write([makeRecord(1)]);
    expect(sink.health?.().ok).toBe(true);
    await sink.close();
  });
});
