import { createObservability, type Envelope, EventRecord } from '@obs/core';
import { makeEnvelope } from '@obs/core/testing';
import {
  applyToRunSummary,
  applyToSessionSummary,
  coarsenRollups,
  dropPostgresPartitionsBefore,
  emptyRunSummary,
  emptySessionSummary,
  LatencySketch,
  listPostgresPartitions,
  ROLLUP_TIERS_MS,
  type RunSummaryState,
  rollupDimensionsKey,
  rollupsOf,
  type SessionSummaryState,
} from '@obs/store-format';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { built } from './test/built.js';
import { dropSchema, withSchema } from './test/schema-client.js';
import { freshSchema } from './testing/fresh-schema.js';

const { createPostgresSink } = await built<typeof import('./index.js')>('index.js');
const url = inject('pgUrl');
const schemas: string[] = [];
afterEach(async () => {
  for (const s of schemas.splice(0)) await dropSchema(url, s);
});
const schema = () => {
  const s = freshSchema('sink');
  schemas.push(s);
  return s;
};
/** A UUIDv7 made at `ms` (core's `uuidv7` never goes back in time within a process). */
const idAt = (ms: number, n: number) => {
  const hex = ms.toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8)}-7000-8000-${String(n).padStart(12, '0')}`;
};
const records = (envelopes: readonly Envelope[]) => envelopes.map((e) => new EventRecord(e));
const rows = (s: string, sql: string) => withSchema(url, s, async (c) => (await c.query(sql)).rows);

/** The summaries the rules module folds from `events` (ordered as emitted). */
function folded(events: readonly Envelope[]) {
  const runs = new Map<string, RunSummaryState>();
  const sessions = new Map<string, SessionSummaryState>();
  for (const e of events) {
    const ts = Date.parse(e.timestamp);
    const run = runs.get(e.run_id) ?? emptyRunSummary(e, ts);
    runs.set(e.run_id, run);
    applyToRunSummary(run, e, ts);
    if (e.session_id === null) continue;
    const session = sessions.get(e.session_id) ?? emptySessionSummary(ts);
    sessions.set(e.session_id, session);
    applyToSessionSummary(session, e, ts);
  }
  return { runs, sessions };
}

/** A mixed workload over 6 runs and 3 sessions, with llm calls, errors and run.finished events. */
function workload(count: number, offset = 0): Envelope[] {
  return Array.from({ length: count }, (_, i) => {
    const seq = offset + i;
    const run = `run-${seq % 6}`;
    const base = {
      run_id: run,
      session_id: `sess-${seq % 3}`,
      turn_number: seq % 7,
      source: `agent-${seq % 6}`,
    };
    const at = Date.UTC(2026, 0, 1, 23, 30) + seq * 4_001;
    Object.assign(base, { timestamp: new Date(at).toISOString() });
    if (seq % 10 === 3) {
      return makeEnvelope(seq, {
        ...base,
        event_type: 'llm.call',
        status: seq % 20 === 3 ? 'error' : 'ok',
        duration_ms: seq,
        payload: { provider: 'p', model: 'm', prompt_tokens: seq, completion_tokens: 2, cost_usd: 0.01 },
      });
    }
    if (seq % 50 === 49) {
      return makeEnvelope(seq, {
        ...base,
        event_type: 'run.finished',
        payload: { outcome: 'success' },
        duration_ms: 5,
      });
    }
    return makeEnvelope(seq, base);
  });
}

async function expectSummaries(s: string, events: readonly Envelope[]): Promise<void> {
  const { runs, sessions } = folded(events);
  const runRows = await rows(s, 'SELECT * FROM runs ORDER BY run_id');
  expect(runRows.length).toBe(runs.size);
  for (const row of runRows) {
    const want = runs.get(row['run_id'] as string)!;
    expect(row, `run ${row['run_id']}`).toMatchObject({
      first_ts: want.first_ts,
      last_ts: want.last_ts,
      event_count: want.event_count,
      error_count: want.error_count,
      llm_call_count: want.llm_call_count,
      prompt_tokens: want.prompt_tokens,
      status: want.status,
      ended_ts: want.ended_ts,
      source: want.source,
      session_id: want.session_id,
    });
    expect(row['cost_usd']).toBeCloseTo(want.cost_usd, 9);
  }
  const sessionRows = await rows(s, 'SELECT * FROM sessions ORDER BY session_id');
  expect(sessionRows.length).toBe(sessions.size);
  for (const row of sessionRows) {
    const want = sessions.get(row['session_id'] as string)!;
    expect(row).toMatchObject({
      first_ts: want.first_ts,
      last_ts: want.last_ts,
      event_count: want.event_count,
      error_count: want.error_count,
      max_turn_number: want.max_turn_number,
    });
  }
}

/**
 * A write retried while it fails as transient, as the service's queue does: two writers committing
 * the same ids at once make one of them fail on the primary key and retry without them.
 */
async function retried(write: () => Promise<void> | void): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if ((error as { transient?: boolean }).transient !== true || attempt > 20) throw error;
    }
  }
}

/** The stored rollups equal the rules module's fold of `events`, at every tier, sketches included. */
async function expectRollups(s: string, events: readonly Envelope[]): Promise<void> {
  const stored = await rows(s, 'SELECT * FROM stats_rollups');
  const minute = rollupsOf(events);
  let expected = 0;
  for (const width of ROLLUP_TIERS_MS) {
    const tier = width === ROLLUP_TIERS_MS[0] ? minute : coarsenRollups(minute.values(), width);
    expected += tier.size;
    for (const want of tier.values()) {
      const got = stored.find(
        (r) =>
          r['bucket_ms'] === width &&
          r['bucket_ts'] === want.bucket_ts &&
          r['dims'] === rollupDimensionsKey(want),
      );
      expect(got, `rollup ${width} ${want.bucket_ts} ${rollupDimensionsKey(want)}`).toMatchObject({
        event_count: want.event_count,
        error_count: want.error_count,
        prompt_tokens: want.prompt_tokens,
        first_ts: want.first_ts,
        last_ts: want.last_ts,
        duration_max: want.duration_max,
      });
      const sketch = LatencySketch.decode(got!['latency'] as Buffer);
      expect([sketch.count, sketch.percentile(50), sketch.percentile(99)]).toEqual([
        want.latency.count,
        want.latency.percentile(50),
        want.latency.percentile(99),
      ]);
    }
  }
  expect(stored.length).toBe(expected);
}

describe('summaries and idempotency', () => {
  it('keeps run and session summaries equal to the rules module fold, with batches re-sent', async () => {
    const s = schema();
    const sink = createPostgresSink({ url, schema: s });
    const events = workload(400);
    for (let i = 0; i < events.length; i += 37) await sink.write(records(events.slice(i, i + 37)));
    // a batch re-sent after a lost reply, and one with a duplicate inside it
    await sink.write(records(events.slice(0, 50)));
    await sink.write(records([events[7]!, events[7]!, events[8]!]));
    expect(sink.duplicates).toBe(53);
    await sink.close();
    expect((await rows(s, 'SELECT count(*)::int AS n FROM events'))[0]!['n']).toBe(400);
    await expectSummaries(s, events);
    await expectRollups(s, events);
  });

  it('four writers at once, out of order and overlapping, store every event once with exact summaries', async () => {
    const s = schema();
    const events = workload(2_000);
    const sinks = Array.from({ length: 4 }, () => createPostgresSink({ url, schema: s }));
    await Promise.all(sinks.map((sink) => sink.ready()));
    // writer w takes every 4th slice of 50, newest first; writer 0 also re-sends writer 1's slices
    await Promise.all(
      sinks.map(async (sink, w) => {
        for (let i = events.length - 50; i >= 0; i -= 50) {
          const slice = i / 50;
          if (slice % 4 === w || (w === 0 && slice % 4 === 1))
            await retried(() => sink.write(records(events.slice(i, i + 50))));
        }
      }),
    );
    await Promise.all(sinks.map((sink) => sink.close()));
    const [count] = await rows(
      s,
      'SELECT count(*)::int AS n, count(DISTINCT event_id)::int AS d FROM events',
    );
    expect(count).toEqual({ n: 2_000, d: 2_000 });
    await expectSummaries(s, events);
    await expectRollups(s, events);
  });
});

describe('partitions', () => {
  it('puts events in daily partitions created ahead, and retention drops whole days', async () => {
    const s = schema();
    const sink = createPostgresSink({ url, schema: s, partitionsAhead: 2 });
    await sink.ready();
    const today = Math.floor(Date.now() / 86_400_000);
    const names = (await withSchema(url, s, listPostgresPartitions)).map((p) => p.dayMs / 86_400_000);
    expect(names).toEqual([today, today + 1, today + 2]);
    const day = Date.UTC(2025, 5, 1);
    const old = [0, 1, 2].map((d) =>
      makeEnvelope(1, {
        event_id: idAt(day + d * 86_400_000 + 5, d),
        timestamp: new Date(day + d * 86_400_000 + 5).toISOString(),
      }),
    );
    await sink.write(records(old));
    const counts = await rows(
      s,
      `SELECT tableoid::regclass::text AS p, count(*)::int AS n FROM events GROUP BY 1 ORDER BY 1`,
    );
    expect(counts.map((r) => r['p'])).toEqual(['events_p20250601', 'events_p20250602', 'events_p20250603']);
    const dropped = await withSchema(url, s, (c) => dropPostgresPartitionsBefore(c, day + 2 * 86_400_000));
    expect(dropped).toEqual(['events_p20250601', 'events_p20250602']);
    expect((await rows(s, 'SELECT count(*)::int AS n FROM events'))[0]!['n']).toBe(1);
    // the run summary still counts what retention dropped
    expect((await rows(s, 'SELECT event_count FROM runs'))[0]!['event_count']).toBe(3);
    await sink.close();
  });
});

describe('lossless by default', () => {
  it('a synchronous loop that overfills the queue loses nothing: emit writes through the caller-runs thread', async () => {
    const s = schema();
    const sink = createPostgresSink({ url, schema: s });
    const obs = createObservability({ source: 'loop', defaultRunId: 'r', sinks: [sink] });
    const total = 30_000;
    let peak = 0;
    for (let i = 0; i < total; i++) {
      obs.emit('log', { level: 'info', message: `event ${i}` });
      if (i % 1_000 === 0) peak = Math.max(peak, obs.stats().sinks[0]!.queued);
    }
    await obs.shutdown();
    const stats = obs.stats().sinks[0]!;
    expect(stats).toMatchObject({ dropped: 0, failed: 0 });
    expect(stats.written_by_caller).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(stats.capacity);
    const [count] = await rows(
      s,
      'SELECT count(*)::int AS n, count(DISTINCT event_id)::int AS d FROM events',
    );
    expect(count).toEqual({ n: total, d: total });
    expect((await rows(s, 'SELECT event_count FROM runs'))[0]!['event_count']).toBe(total);
  });
});
