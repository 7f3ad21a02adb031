import { join } from 'node:path';
import { createObservability } from '@obs/core';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { built } from './test/built.js';
import { tempDir } from './test/fixtures.js';

const { createSqliteSink } = await built<typeof import('./index.js')>('index.js');

let tmp: ReturnType<typeof tempDir>;
afterEach(() => tmp?.cleanup());

describe('lossless by default: a synchronous loop that overfills the queue loses nothing', () => {
  it.each([false, true])('stores every event with default queue settings (worker: %s)', async (worker) => {
    tmp = tempDir();
    const path = join(tmp.dir, 'events.db');
    const sink = createSqliteSink({ path, worker });
    const obs = createObservability({ source: 'loop', defaultRunId: 'r', sinks: [sink] });
    const total = 40_000;
    let peak = 0;
    for (let i = 0; i < total; i++) {
      obs.emit('log', { level: 'info', message: `event ${i}` });
      if (i % 1_000 === 0) peak = Math.max(peak, obs.stats().sinks[0]!.queued);
    }
    await obs.shutdown();
    const stats = obs.stats().sinks[0]!;
    expect(stats.dropped).toBe(0);
    expect(stats.failed).toBe(0);
    expect(stats.written_by_caller).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(stats.capacity);
    const db = new Database(path, { readonly: true });
    const { n, ids } = db
      .prepare('SELECT count(*) AS n, count(DISTINCT event_id) AS ids FROM events')
      .get() as {
      n: number;
      ids: number;
    };
    db.close();
    expect(n).toBe(total);
    expect(ids).toBe(total);
  });
});
