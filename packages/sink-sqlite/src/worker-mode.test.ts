import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { createObservability } from '@obs/core';
import { makeRecord } from '@obs/core/testing';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { built } from './test/built.js';
import { tempDir } from './test/fixtures.js';

// the writer thread runs the built worker module: see test/built.ts
const { createSqliteSink } = await built<typeof import('./index.js')>('index.js');

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
});
afterEach(() => cleanup());

it('worker: true writes the same rows and summaries from a writer thread', async () => {
  const path = join(dir, 'obs.db');
  const sink = createSqliteSink({ path, worker: true });
  const obs = createObservability({ source: 'w', sinks: [{ sink, queue: { batchSize: 100 } }] });
  obs.withContext({ run_id: 'r', session_id: 's' }, () => {
    for (let i = 0; i < 1_000; i++)
      obs.emit('llm.call', { provider: 'p', model: 'm', prompt_tokens: 1, cost_usd: 0.5 });
    obs.emit('run.finished', { outcome: 'success' });
  });
  await obs.flush();
  await obs.shutdown();
  expect(obs.stats().sinks[0]).toMatchObject({ written: 1_001, failed: 0 });
  // both threads (writer and checkpoints) closed their connections: the last one removed the WAL
  expect(existsSync(`${path}-wal`)).toBe(false);
  const db = new Database(path, { readonly: true });
  expect(db.prepare('SELECT event_count, total_tokens, cost_usd, status FROM runs').get()).toEqual({
    event_count: 1_001,
    total_tokens: 1_000,
    cost_usd: 500,
    status: 'success',
  });
  db.close();
  expect(() => sink.write([])).toThrow(expect.objectContaining({ code: 'OBS_CLOSED' }));
});

const { WorkerWriter, RESPAWN_BASE_MS } =
  await built<typeof import('./internal/worker-writer.js')>('internal/worker-writer.js');
const { parseSqliteSinkOptions } = await built<typeof import('./options.js')>('options.js');

it('a writer thread that dies is replaced on the next write, with backoff while it keeps dying', {
  timeout: 20_000,
}, async () => {
  const path = join(dir, 'obs.db');
  const threads: Worker[] = [];
  // the respawn backoff counts Date.now(): with only Date faked, no time passes unless the test moves it
  vi.useFakeTimers({ toFake: ['Date'] });
  const writer = new WorkerWriter(parseSqliteSinkOptions({ path, worker: true }), {
    onSpawn: (w) => threads.push(w),
  });
  const kill = async (w: Worker) => {
    const exited = once(w, 'exit');
    await w.terminate();
    await exited;
  };
  try {
    const line = (seq: number) => makeRecord(seq, { run_id: 'respawn' });
    expect(await writer.write([line(1)])).toBe(1);

    // a write in flight when the thread dies fails with the death; the next one gets a new thread
    const inFlight = writer.write([line(2)]);
    await kill(threads[0]!);
    await inFlight.then(
      () => undefined, // it may have committed before the thread ended
      (error: Error) => expect(error.message).toMatch(/writer thread exited/),
    );
    expect(await writer.write([line(3)])).toBe(1);
    expect(threads).toHaveLength(2);

    // a new thread dying before any write succeeded on it: the next write is refused until the backoff passed
    await kill(threads[1]!);
    const beforeStart = writer.write([line(4)]);
    expect(threads).toHaveLength(3);
    await kill(threads[2]!);
    await expect(beforeStart).rejects.toThrow(/writer thread exited/);
    await expect(writer.write([line(5)])).rejects.toThrow(
      `a new writer thread starts in ${RESPAWN_BASE_MS} ms`,
    );
    vi.setSystemTime(Date.now() + RESPAWN_BASE_MS - 1);
    await expect(writer.write([line(5)])).rejects.toThrow('a new writer thread starts in 1 ms');
    expect(threads).toHaveLength(3);
    vi.setSystemTime(Date.now() + 1);
    expect(await writer.write([line(5)])).toBe(1);
    expect(threads).toHaveLength(4);
  } finally {
    vi.useRealTimers();
    await writer.close();
  }
  const db = new Database(path, { readonly: true });
  const seqs = db.prepare("SELECT seq FROM events WHERE run_id = 'respawn' ORDER BY seq").pluck().all();
  expect(seqs.filter((s) => s !== 2)).toEqual([1, 3, 5]);
  db.close();
});
