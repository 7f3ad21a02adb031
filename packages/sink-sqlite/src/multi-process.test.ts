import { spawn } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { fixture, tempDir } from './test/fixtures.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
});
afterEach(() => cleanup());

function runWriter(path: string, index: number, count: number): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    // bounded: a stuck writer is killed (and fails the test) rather than left running
    const child = spawn(process.execPath, [fixture('writer.mjs'), path, String(index), String(count)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60_000,
      killSignal: 'SIGKILL',
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve(JSON.parse(out));
      else reject(new Error(`writer ${index} exited with ${code}: ${err}`));
    });
  });
}

it('4 processes writing 20k events each into one new file lose nothing and duplicate nothing', async () => {
  const path = join(dir, 'shared.db');
  const writers = 4;
  const count = 20_000;
  const results = await Promise.all(Array.from({ length: writers }, (_, i) => runWriter(path, i, count)));
  for (const r of results) expect(r).toEqual({ emitted: count, written: count, dropped: 0, failed: 0 });

  const db = new Database(path, { readonly: true });
  expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  expect(db.prepare('SELECT count(*) AS n, count(DISTINCT event_id) AS d FROM events').get()).toEqual({
    n: writers * count,
    d: writers * count,
  });
  const perSource = db
    .prepare('SELECT source, count(*) AS n, count(DISTINCT seq) AS s FROM events GROUP BY source')
    .all();
  expect(perSource).toEqual(
    Array.from({ length: writers }, (_, i) => ({ source: `writer-${i}`, n: count, s: count })),
  );
  expect(
    db
      .prepare('SELECT count(*) AS runs, sum(event_count) AS events, sum(llm_call_count) AS llm FROM runs')
      .get(),
  ).toEqual({
    runs: writers * 10,
    events: writers * count,
    llm: (writers * count) / 5,
  });
  const mismatched = db
    .prepare(
      'SELECT count(*) FROM runs r WHERE event_count != (SELECT count(*) FROM events e WHERE e.run_key = r.run_key)',
    )
    .pluck()
    .get();
  expect(mismatched).toBe(0);
  expect(db.prepare('SELECT sum(event_count) FROM sessions').pluck().get()).toBe(writers * count);
  expect(db.prepare('SELECT count(*) FROM event_types').pluck().get()).toBe(2);
  db.close();
}, 90_000);
