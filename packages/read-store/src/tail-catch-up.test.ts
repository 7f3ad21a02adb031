import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createObservability } from '@obs/core';
import { createJsonlSink } from '@obs/sink-jsonl';
import { createSqliteSink } from '@obs/sink-sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openJsonlReadStore } from './jsonl/jsonl-read-store.js';
import type { ReadStore } from './read-store.js';
import { openSqliteReadStore } from './sqlite/sqlite-read-store.js';

const COUNT = 20_000;

let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'obs-read-store-catch-up-'));
  const obs = createObservability({
    source: 'bulk',
    sinks: [createSqliteSink({ path: join(dir, 'obs.db') }), createJsonlSink({ dir: join(dir, 'trail') })],
    defaultRunId: 'run-bulk',
  });
  for (let i = 0; i < COUNT; i++) {
    obs.emit('log', { level: 'info', message: `bulk ${i}` });
    if (i % 1000 === 999) await obs.flush();
  }
  await obs.shutdown();
  expect(obs.stats().sinks.map((s) => s.written)).toEqual([COUNT, COUNT]);
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const open: Record<'sqlite' | 'jsonl', () => Promise<ReadStore>> = {
  sqlite: async () => openSqliteReadStore(join(dir, 'obs.db')),
  jsonl: () => openJsonlReadStore(join(dir, 'trail')),
};

describe.each(['sqlite', 'jsonl'] as const)('tail on %s', (kind) => {
  it('keeps timers ticking while it catches up a large backlog from an old cursor', {
    timeout: 60_000,
  }, async () => {
    const store = await open[kind]();
    const first = await store.listEvents({ order: 'asc', limit: 1 });
    const since = first.next_cursor!;
    let turns = 0;
    let timerTicks = 0;
    let counting = false;
    const turn = () => {
      if (counting) turns++;
      immediate = setImmediate(turn);
    };
    const tick = () => {
      if (counting) timerTicks++;
      timer = setTimeout(tick, 0);
    };
    let immediate = setImmediate(turn);
    let timer = setTimeout(tick, 0);
    const seqs: number[] = [];
    const stop = new AbortController();
    const deadline = setTimeout(() => stop.abort(), 30_000);
    try {
      for await (const e of store.tail({ since, signal: stop.signal })) {
        counting = true;
        seqs.push(e.envelope.seq);
        if (seqs.length === COUNT - 1) stop.abort();
      }
    } finally {
      clearTimeout(deadline);
      clearImmediate(immediate);
      clearTimeout(timer);
      await store.close();
    }
    // every event after the cursor, in order
    expect(seqs).toEqual(Array.from({ length: COUNT - 1 }, (_, i) => i + 2));
    // the loop turned at least once per page of 500 (a non-yielding catch-up turns it zero times)
    expect(turns).toBeGreaterThanOrEqual(Math.floor((COUNT - 1) / 500) - 1);
    expect(timerTicks).toBeGreaterThan(0);
  });
});
