import { join } from 'node:path';
import type { Envelope } from '@obs/core';
import { makeEnvelope, makeRecord } from '@obs/core/testing';
import {
  coarsenRollups,
  EVENT_INDEXES,
  LatencySketch,
  packEventFacts,
  ROLLUP_TIERS_MS,
  rollupsOf,
  unpackEventFacts,
} from '@obs/store-format';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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

const T0 = Date.UTC(2026, 0, 1, 23, 58);
/**
 * Events `stepMs` apart (by default over three days, so every tier has several buckets), of several
 * types, statuses and models.
 */
function generated(n: number, stepMs = 37_003): Envelope[] {
  return Array.from({ length: n }, (_, i) => {
    const kind = i % 5;
    const ms = T0 + i * stepMs;
    return makeEnvelope(i, {
      timestamp: new Date(ms).toISOString(),
      source: `svc-${i % 3}`,
      run_id: `run-${i % 7}`,
      status: i % 11 === 0 ? 'error' : kind === 0 ? null : 'ok',
      duration_ms: kind === 0 ? null : ((i * 7919) % 5000) / 3,
      ...(kind === 1
        ? { event_type: 'span', payload: { operation: `op-${i % 4}`, layer: 'l', component: `c${i % 2}` } }
        : kind === 2
          ? {
              event_type: 'llm.call',
              payload: {
                provider: 'p',
                model: `m-${i % 2}`,
                prompt_tokens: i % 100,
                completion_tokens: 3,
                cost_usd: 0.01,
              },
            }
          : kind === 3
            ? { event_type: 'error', payload: { stage: 's', message: 'm', recoverable: true } }
            : {}),
    });
  });
}

interface Row {
  bucket_ms: number;
  bucket_ts: number;
  source: string;
  event_type: string;
  operation: string;
  status: string | null;
  model: string | null;
  layer: string | null;
  component: string | null;
  event_count: number;
  error_count: number;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  cost_usd: number;
  first_ts: number;
  last_ts: number;
  duration_max: number | null;
  latency: string;
}

/** Every rollup row of a file with its dimension names, the sketch as hex, in a stable order. */
function storedRollups(path: string): Row[] {
  const db = new Database(path, { readonly: true });
  const rows = db
    .prepare(
      `SELECT r.bucket_ms, r.bucket_ts, s.source, t.event_type, d.operation, d.status, d.model, d.layer, d.component,
        r.event_count, r.error_count, r.prompt_tokens, r.completion_tokens, r.total_tokens, r.cost_usd,
        r.first_ts, r.last_ts, r.duration_max, hex(r.latency) AS latency
       FROM stats_rollups r JOIN stats_rollup_dims d USING (dim_key)
       JOIN sources s ON s.source_key = d.source_key JOIN event_types t ON t.type_key = d.type_key`,
    )
    .all() as Row[];
  db.close();
  return sortRows(rows.map((r) => ({ ...r, cost_usd: Math.round(r.cost_usd * 1e9) })));
}

/** The rows the rules give for `events`, at every tier, in the form of {@link storedRollups}. */
function expectedRollups(events: Envelope[]): Row[] {
  const minutes = rollupsOf(events);
  const rows: Row[] = [];
  for (const width of ROLLUP_TIERS_MS) {
    for (const r of coarsenRollups(minutes.values(), width).values()) {
      rows.push({
        bucket_ms: width,
        bucket_ts: r.bucket_ts,
        source: r.source,
        event_type: r.event_type,
        operation: r.operation,
        status: r.status,
        model: r.model,
        layer: r.layer,
        component: r.component,
        event_count: r.event_count,
        error_count: r.error_count,
        prompt_tokens: r.prompt_tokens,
        completion_tokens: r.completion_tokens,
        total_tokens: r.total_tokens,
        cost_usd: Math.round(r.cost_usd * 1e9),
        first_ts: r.first_ts,
        last_ts: r.last_ts,
        duration_max: r.duration_max,
        latency: Buffer.from(r.latency.encode()).toString('hex').toUpperCase(),
      });
    }
  }
  return sortRows(rows);
}

const sortRows = (rows: Row[]) => {
  const key = (r: Row) =>
    JSON.stringify([
      r.bucket_ms,
      r.bucket_ts,
      r.source,
      r.event_type,
      r.operation,
      r.status,
      r.model,
      r.layer,
      r.component,
    ]);
  return rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
};

describe('stats rollups', () => {
  it('are kept in the write transaction: the rules applied to the events, across batches, duplicates once', async () => {
    const path = join(dir, 'obs.db');
    const events = generated(3_000);
    const sink = createSqliteSink({ path });
    for (let i = 0; i < events.length; i += 250) {
      await sink.write(events.slice(i, i + 250).map((e) => makeRecord(0, e)));
    }
    // re-delivered events (a retried batch) add nothing
    await sink.write(events.slice(100, 400).map((e) => makeRecord(0, e)));
    await sink.close();
    const stored = storedRollups(path);
    expect(stored).toEqual(expectedRollups(events));
    const days = stored.filter((r) => r.bucket_ms === 86_400_000);
    expect(new Set(days.map((r) => r.bucket_ts)).size).toBe(3);
    expect(days.reduce((n, r) => n + r.event_count, 0)).toBe(events.length);
  });

  it('are the same when most batches fall in one minute (each minute row added to its hour and day as it stands)', async () => {
    const path = join(dir, 'obs.db');
    // 50 ms apart: batches of 250 span 12.5 s, so most lie in one minute, a few cross into the next
    // hour and day (T0 is 23:58), some rows have durations (sketches to merge) and some none
    const events = generated(6_000, 50);
    const sink = createSqliteSink({ path });
    for (let i = 0; i < events.length; i += 250) {
      await sink.write(events.slice(i, i + 250).map((e) => makeRecord(0, e)));
    }
    await sink.write(events.slice(1_000, 1_250).map((e) => makeRecord(0, e)));
    await sink.close();
    const stored = storedRollups(path);
    expect(stored).toEqual(expectedRollups(events));
    expect(new Set(stored.filter((r) => r.bucket_ms === 86_400_000).map((r) => r.bucket_ts)).size).toBe(2);
    expect(stored.some((r) => r.bucket_ms === 60_000 && r.latency.length > 4)).toBe(true);
    expect(stored.some((r) => r.bucket_ms === 86_400_000 && r.latency === '0100')).toBe(true);
  });

  it('are kept by the writer thread too, the same rows as in-thread', async () => {
    const events = generated(600);
    const paths = [join(dir, 'thread.db'), join(dir, 'worker.db')];
    for (const [i, path] of paths.entries()) {
      const sink = createSqliteSink({ path, worker: i === 1 });
      await sink.write(events.map((e) => makeRecord(0, e)));
      await sink.close();
    }
    expect(storedRollups(paths[1]!)).toEqual(storedRollups(paths[0]!));
  });

  it('are built for an existing version 3 database by the migration, equal to what the writer keeps', async () => {
    const path = join(dir, 'v3.db');
    const events = generated(2_000);
    const sink = createSqliteSink({ path });
    await sink.write(events.map((e) => makeRecord(0, e)));
    await sink.close();
    const written = storedRollups(path);
    // the file as version 3 left it: no rollup tables
    const db = new Database(path);
    db.exec(`DROP TABLE stats_rollups; DROP TABLE stats_rollup_dims; DROP INDEX events_source; DROP INDEX events_slowest;
      CREATE INDEX events_source_status ON event_rows(source_key, status, ts);
      DROP INDEX events_run; CREATE INDEX events_run ON event_rows(run_key, ts);
      ALTER TABLE event_rows DROP COLUMN operation; PRAGMA user_version = 3`);
    db.close();

    const reopened = createSqliteSink({ path });
    expect(reopened.migration).toEqual({ from: 3, to: 6, applied: [4, 5, 6] });
    await reopened.close();
    expect(storedRollups(path)).toEqual(written);
    expect(written).toEqual(expectedRollups(events));
    // version 5's indexes replace version 3's source/status one
    const check = new Database(path, { readonly: true });
    const indexes = check
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'event_rows' AND sql IS NOT NULL",
      )
      .pluck()
      .all();
    expect(new Set(indexes)).toEqual(new Set(EVENT_INDEXES));
    expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
    check.close();
  });

  it('store sketches that decode and merge: the day rows hold every timed event', async () => {
    const path = join(dir, 'obs.db');
    const events = generated(500);
    const sink = createSqliteSink({ path });
    await sink.write(events.map((e) => makeRecord(0, e)));
    await sink.close();
    const db = new Database(path, { readonly: true });
    const merged = new LatencySketch();
    for (const blob of db
      .prepare('SELECT latency FROM stats_rollups WHERE bucket_ms = 86400000')
      .pluck()
      .all()) {
      merged.merge(LatencySketch.decode(blob as Buffer));
    }
    db.close();
    expect(merged.count).toBe(events.filter((e) => e.duration_ms !== null).length);
  });
});

describe('the facts handed to the writer thread', () => {
  it('rebuild what the rules read of every event, hostile payload values included (no JSON parsed)', async () => {
    const events = [
      ...generated(200),
      makeEnvelope(900, {
        event_type: 'llm.call',
        payload: { model: { nested: 1 }, prompt_tokens: 'many', total_tokens: [1], cost_usd: 2, outcome: 3 },
      }),
      makeEnvelope(901, {
        event_type: 'run.finished',
        payload: { outcome: 'timeout' },
        session_id: 's',
        turn_number: 4,
      }),
    ];
    const back = unpackEventFacts(
      packEventFacts(events),
      events.map((e) => JSON.stringify(e)),
    ).map((s) => s.envelope);
    const key = (d: ReturnType<typeof rollupsOf>) =>
      [...d.values()].map((r) => ({ ...r, latency: Buffer.from(r.latency.encode()).toString('hex') }));
    expect(key(rollupsOf(back))).toEqual(key(rollupsOf(events)));
    expect(back.at(-1)).toMatchObject({
      event_type: 'run.finished',
      turn_number: 4,
      payload: { outcome: 'timeout' },
    });
    const packed = packEventFacts(events.slice(0, 2));
    expect(() => unpackEventFacts(packed, ['{}'])).toThrow(/1 lines came with 40 facts/);
    expect(() =>
      unpackEventFacts(
        { ...packed, strings: packed.strings.slice(0, 1) },
        events.slice(0, 2).map((e) => e.event_id),
      ),
    ).toThrow(/names string/);
    expect(packed.strings.filter((s) => s === events[0]!.source)).toHaveLength(1);
  });
});
