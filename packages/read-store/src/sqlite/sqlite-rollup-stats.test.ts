import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Envelope } from '@obs/core';
import { EventRecord } from '@obs/core';
import { makeEnvelope } from '@obs/core/testing';
import { createSqliteSink } from '@obs/sink-sqlite';
import { llmUsage } from '@obs/store-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeStats, type StatsFacts } from '../internal/stats-accumulator.js';
import type { ReadStore, Stats, StatsQuery } from '../read-store.js';
import { openSqliteReadStore } from './sqlite-read-store.js';

const T0 = Date.UTC(2026, 2, 1, 22, 30, 17, 123);
const N = 12_000;

/** Deterministic pseudo-random numbers in [0, 1). */
function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

/** Events over about three days: spans, tool and llm calls, errors, with long-tailed durations. */
function generated(): Envelope[] {
  const r = random(42);
  let ms = T0;
  return Array.from({ length: N }, (_, i) => {
    ms += Math.floor(r() * 40_000);
    const kind = Math.floor(r() * 6);
    const duration = r() < 0.2 ? null : Math.round(Math.exp(r() * 9) * 100) / 100;
    const status = r() < 0.05 ? 'error' : r() < 0.2 ? null : 'ok';
    const base = {
      timestamp: new Date(ms).toISOString(),
      source: `agent-${i % 3}`,
      run_id: `run-${i % 50}`,
      status,
      duration_ms: duration,
    } as const;
    switch (kind) {
      case 0:
        return makeEnvelope(i, {
          ...base,
          event_type: 'span',
          payload: {
            operation: `op-${i % 5}`,
            component: `c-${i % 2}`,
            layer: i % 3 === 0 ? 'tool' : 'agent',
          },
        });
      case 1:
        return makeEnvelope(i, {
          ...base,
          event_type: 'llm.call',
          payload: {
            provider: 'p',
            model: i % 2 === 0 ? 'small' : 'large',
            prompt_tokens: i % 300,
            completion_tokens: i % 70,
            cost_usd: (i % 13) / 1000,
          },
        });
      case 2:
        return makeEnvelope(i, { ...base, event_type: 'tool.call', payload: { tool: `t-${i % 4}` } });
      case 3:
        return makeEnvelope(i, {
          ...base,
          event_type: 'error',
          payload: { stage: 's', message: 'm', recoverable: true },
        });
      default:
        return makeEnvelope(i, base);
    }
  });
}

let dir: string;
let store: ReadStore;
let events: Envelope[];
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'obs-rollup-stats-'));
  events = generated();
  const path = join(dir, 'obs.db');
  const sink = createSqliteSink({ path });
  for (let i = 0; i < events.length; i += 500) {
    await sink.write(events.slice(i, i + 500).map((e) => new EventRecord(e)));
  }
  await sink.close();
  store = openSqliteReadStore(path);
}, 120_000);
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The exact answer: every matching event's facts through the exact (sorting) accumulator. */
function exact(query: StatsQuery): Stats {
  const from = query.from === undefined ? Number.NEGATIVE_INFINITY : Date.parse(query.from);
  const to = query.to === undefined ? Number.POSITIVE_INFINITY : Date.parse(query.to);
  const facts = events
    .map(factsOf)
    .filter((f) => f.ts >= from && f.ts < to && (query.source === undefined || f.source === query.source));
  return computeStats(facts, query.groupBy, query.slowest ?? 10);
}

const str = (v: unknown) => (typeof v === 'string' ? v : null);

/** What the exact accumulator needs of an event, by the definitions the rollup rules document. */
function factsOf(e: Envelope): StatsFacts {
  const p = e.payload;
  return {
    ts: Date.parse(e.timestamp),
    timestamp: e.timestamp,
    event_id: e.event_id,
    event_type: e.event_type,
    source: e.source,
    run_id: e.run_id,
    status: e.status,
    duration_ms: e.duration_ms,
    name: e.event_type === 'span' && typeof p['operation'] === 'string' ? p['operation'] : e.event_type,
    layer: str(p['layer']),
    component: str(p['component']),
    model: str(p['model']),
    ...llmUsage(e),
  };
}

const P = ['p50_ms', 'p95_ms', 'p99_ms'] as const;

/**
 * Everything equal, except that each percentile may be off by 1% of the exact one (and so groups
 * whose p95 are that close may swap places: groups are compared in key order).
 */
function expectMatches(actualStats: Stats, expectedStats: Stats): void {
  const [actual, expected] = [actualStats, expectedStats].map(byKey) as [Stats, Stats];
  const strip = (s: Stats) =>
    JSON.parse(
      JSON.stringify(s, (k, v) =>
        P.includes(k as never) ? v !== null : k === 'cost_usd' ? Math.round(v * 1e9) : v,
      ),
    );
  expect(strip(actual)).toEqual(strip(expected));
  const groups = (s: Stats) => [...s.latency, ...(s.groups ?? [])];
  const exactGroups = groups(expected);
  groups(actual).forEach((g, i) => {
    for (const p of P) {
      const want = exactGroups[i]![p];
      if (want === null) continue;
      expect(Math.abs(g[p]! - want), `${g.key} ${p}`).toBeLessThanOrEqual(0.01 * Math.abs(want));
    }
  });
}

const byKey = (s: Stats): Stats => {
  const sort = (g: Stats['latency']) => [...g].sort((a, b) => (a.key < b.key ? -1 : 1));
  return { ...s, latency: sort(s.latency), ...(s.groups === undefined ? {} : { groups: sort(s.groups) }) };
};

const iso = (ms: number) => new Date(ms).toISOString();
const MIN = 60_000;
const DAY = 24 * 60 * MIN;

describe('SQLite stats from rollups, against an exact computation over the same generated events', () => {
  const cases: [string, () => StatsQuery][] = [
    ['everything', () => ({})],
    ['everything, by operation, 100 slowest', () => ({ groupBy: 'operation', slowest: 100 })],
    ['by model', () => ({ groupBy: 'model' })],
    ['by layer, one source', () => ({ groupBy: 'layer', source: 'agent-1' })],
    ['by component', () => ({ groupBy: 'component' })],
    ['by event type', () => ({ groupBy: 'event_type' })],
    [
      'a day-aligned day',
      () => ({ from: iso(Math.ceil(T0 / DAY) * DAY), to: iso(Math.ceil(T0 / DAY) * DAY + DAY) }),
    ],
    ['the last 24 h, unaligned', () => ({ from: iso(Date.parse(events.at(-1)!.timestamp) - DAY + 12_345) })],
    [
      'minute-aligned hours',
      () => ({
        from: iso(Math.ceil(T0 / MIN) * MIN + 90 * MIN),
        to: iso(Math.ceil(T0 / MIN) * MIN + 300 * MIN),
      }),
    ],
    [
      'unaligned, within one minute',
      () => ({ from: iso(T0 + (5 * DAY) / 7 + 1_000), to: iso(T0 + (5 * DAY) / 7 + 50_000) }),
    ],
    [
      'unaligned, sub-minute timeline',
      () => ({ from: iso(T0 + DAY + 7), to: iso(T0 + DAY + 40 * MIN + 3), groupBy: 'source' }),
    ],
    ['open end, one source', () => ({ from: iso(T0 + DAY + 33_333), source: 'agent-2', slowest: 25 })],
    ['before any event', () => ({ to: iso(T0 - DAY) })],
    ['an unknown source', () => ({ source: 'nobody' })],
  ];
  for (const [name, query] of cases) {
    it(name, async () => {
      const q = query();
      const expected = exact(q);
      expectMatches(await store.stats(q), expected);
      if (name !== 'before any event' && name !== 'an unknown source')
        expect(expected.total).toBeGreaterThan(0);
    });
  }

  it('counts come from the rollups: a bounded number of rows for all 12,000 events', async () => {
    const all = await store.stats();
    expect(all.total).toBe(N);
    expect(all.timeline_bucket_ms).toBeGreaterThanOrEqual(MIN);
  });
});
