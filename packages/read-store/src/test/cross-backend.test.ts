import { freshSchema } from '@obs/sink-postgres/testing';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { openJsonlReadStore } from '../jsonl/jsonl-read-store.js';
import { openPostgresReadStore } from '../postgres/postgres-read-store.js';
import type { ReadStore } from '../read-store.js';
import { openSqliteReadStore } from '../sqlite/sqlite-read-store.js';
import { buildFixture, type Fixture, T0 } from './fixture.js';

let fx: Fixture;
let sqlite: ReadStore;
let jsonl: ReadStore;
let postgres: ReadStore;
beforeAll(async () => {
  const url = inject('pgUrl');
  const schema = freshSchema('cross');
  fx = await buildFixture({ bulk: 300, postgres: { url, schema } });
  sqlite = openSqliteReadStore(fx.sqlitePath);
  jsonl = await openJsonlReadStore(fx.jsonlDir);
  postgres = await openPostgresReadStore(url, { schema });
}, 60_000);
afterAll(async () => {
  await sqlite.close();
  await jsonl.close();
  await postgres.close();
  fx.cleanup();
});

/** The fixture's start plus `ms`, as an ISO timestamp. */
const at = (ms: number) => new Date(T0 + ms).toISOString();

const noCursor = <T extends { next_cursor: string | null }>(page: T) => ({
  ...page,
  next_cursor: page.next_cursor !== null,
});

it('every backend answers every read identically on the same events', async () => {
  const calls: [string, (s: ReadStore) => Promise<unknown>][] = [
    ['listRuns', async (s) => noCursor(await s.listRuns({ limit: 3 }))],
    ['getRun', (s) => s.getRun('run-2')],
    ['listSessions', async (s) => noCursor(await s.listSessions())],
    ['getSession', (s) => s.getSession('sess-1')],
    ['listEvents', async (s) => noCursor(await s.listEvents({ limit: 1000 }))],
    [
      'listEvents desc',
      async (s) => noCursor(await s.listEvents({ order: 'desc', types: ['span', 'log'], limit: 50 })),
    ],
    ['getTraceTree run-1', (s) => s.getTraceTree('run-1')],
    ['getTraceTree run-cycle', (s) => s.getTraceTree('run-cycle')],
    // more events than one chunk of lazily read envelopes
    ['getTraceTree run-bulk', (s) => s.getTraceTree('run-bulk')],
    ['stats', (s) => s.stats()],
    ['stats by operation', (s) => s.stats({ groupBy: 'operation', slowest: 100 })],
    ['stats by component', (s) => s.stats({ groupBy: 'component', run_id: 'run-1' })],
    ['stats by source', (s) => s.stats({ groupBy: 'source', from: '2026-01-05T09:00:01.000Z' })],
    // ranged: stored minute, hour and day rows for the aligned middle, raw events at unaligned edges
    ['stats of a whole minute', (s) => s.stats({ from: at(0), to: at(60_000), slowest: 3 })],
    [
      'stats of a whole day',
      (s) => s.stats({ from: '2026-01-05T00:00:00.000Z', to: '2026-01-06T00:00:00.000Z' }),
    ],
    [
      'stats of hours, one source',
      (s) => s.stats({ source: 'agent-b', from: at(-3_600_000), to: at(3_600_000) }),
    ],
    [
      'stats from inside a minute on',
      (s) => s.stats({ groupBy: 'operation', from: at(2_500), to: at(7_200_000) }),
    ],
    ['stats inside one minute', (s) => s.stats({ from: at(1_000), to: at(2_013), slowest: 2 })],
    ['stats up to an unaligned end', (s) => s.stats({ groupBy: 'model', to: at(3_001) })],
    ['stats of an empty range', (s) => s.stats({ from: at(86_400_000), to: at(2 * 86_400_000) })],
  ];
  // the ranges reach the stored rows and the edges' events
  expect((await sqlite.stats({ from: at(0), to: at(60_000) })).total).toBe(fx.events.length);
  expect((await postgres.stats({ from: at(2_500), to: at(7_200_000) })).total).toBeGreaterThan(0);
  for (const [name, call] of calls) {
    const expected = await call(sqlite);
    for (const [backend, store] of [
      ['jsonl', jsonl],
      ['postgres', postgres],
    ] as const) {
      const actual = await call(store);
      const label = `${name} (${backend})`;
      expect(withoutPercentiles(actual), label).toEqual(withoutPercentiles(expected));
      const [pa, pe] = [percentilesOf(actual), percentilesOf(expected)];
      expect(pa.length, label).toBe(pe.length);
      pa.forEach((p, i) => {
        expect(Math.abs(p - pe[i]!), `${label}: percentile ${i}`).toBeLessThanOrEqual(
          PERCENTILE_TOLERANCE * p,
        );
      });
    }
  }
});

/**
 * How far two backends' percentiles may differ: each is within 1% of the exact value (SQLite reads
 * them from latency sketches, JSONL may compute them exactly), so they are within about 2% of each other.
 */
const PERCENTILE_TOLERANCE = 0.0201;
const PERCENTILE_KEYS = new Set(['p50_ms', 'p95_ms', 'p99_ms']);

/** The value with every percentile replaced by whether it is null. */
function withoutPercentiles(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (key, v) => (PERCENTILE_KEYS.has(key) ? v === null : v)));
}

/** Every non-null percentile of the value, in document order. */
function percentilesOf(value: unknown): number[] {
  const out: number[] = [];
  JSON.stringify(value, (key, v) => {
    if (PERCENTILE_KEYS.has(key) && typeof v === 'number') out.push(v);
    return v;
  });
  return out;
}
