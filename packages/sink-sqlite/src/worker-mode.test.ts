import { join } from 'node:path';
import { createObservability } from '@obs/core';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { tempDir } from './test/fixtures.js';

// The writer thread runs the built file, so this test goes through dist/ (built before tests).
const { createSqliteSink } = (await import(
  new URL('../dist/index.js', import.meta.url).href
)) as typeof import('./index.js');

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
