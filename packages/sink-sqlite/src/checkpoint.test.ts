import { closeSync, existsSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { endianness } from 'node:os';
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

/**
 * Whether every frame in the WAL has been copied into the database file, read from the wal-index
 * (`-shm`, see sqlite.org/walformat.html): `mxFrame` of its header against the checkpoint's
 * `nBackfill`. Read without locks, so a reading whose two header copies differ is a "no".
 */
function walBackfilled(path: string): boolean {
  if (!existsSync(`${path}-shm`)) return false;
  const bytes = Buffer.alloc(100);
  const fd = openSync(`${path}-shm`, 'r');
  try {
    if (readSync(fd, bytes, 0, 100, 0) < 100) return false;
  } finally {
    closeSync(fd);
  }
  if (!bytes.subarray(0, 48).equals(bytes.subarray(48, 96))) return false;
  const u32 = (offset: number) =>
    endianness() === 'LE' ? bytes.readUInt32LE(offset) : bytes.readUInt32BE(offset);
  const mxFrame = u32(16);
  const nBackfill = u32(96);
  return mxFrame > 0 && nBackfill === mxFrame;
}

/** Polls `condition` (the checkpoint thread reports nothing to wait on) up to a generous deadline. */
async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  for (const end = Date.now() + timeoutMs; !condition(); await pause(2))
    if (Date.now() > end) throw new Error(`${what}: not within ${timeoutMs} ms`);
}

/**
 * Writes 40 batches of 250 events, as a live agent would, calling `between` after each; returns the
 * largest WAL seen.
 */
async function writeBatches(
  sink: SqliteSink,
  path: string,
  between: () => Promise<void> = async () => {},
): Promise<number> {
  let largestWal = 0;
  for (let b = 0; b < 40; b++) {
    await sink.write(
      Array.from({ length: 250 }, (_, i) => makeRecord(b * 250 + i + 1, { run_id: `run-${b % 4}` })),
    );
    largestWal = Math.max(largestWal, size(`${path}-wal`));
    await between();
  }
  return largestWal;
}

describe('WAL checkpoints', () => {
  it('run on their own thread: with the writer backstop off, the WAL stays small and the file fills', async () => {
    const path = join(dir, 'background.db');
    const sink = createSqliteSink({ path, walAutocheckpointPages: 0, checkpointIntervalMs: 2 });
    // the next batch waits until the thread (nothing else checkpoints) has copied the last one, so
    // the writer starts the WAL over each time however the threads happen to be scheduled
    const largestWal = await writeBatches(sink, path, () =>
      until(() => walBackfilled(path), 'the checkpoint thread copying the WAL'),
    );
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
    const largestWal = await writeBatches(sink, path);
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
    await until(() => sink.health?.().detail !== undefined, 'the thread reporting it stopped');
    expect(sink.health?.()).toEqual({
      ok: true,
      detail: 'the checkpoint thread stopped: the writer checkpoints alone',
    });
    await sink.write([makeRecord(1)]);
    expect(sink.health?.().ok).toBe(true);
    await sink.close();
  });
});
