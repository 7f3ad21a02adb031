import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type Envelope, EventRecord, serializeEnvelope } from '@obs/core';
import { makeEnvelope } from '@obs/core/testing';
import { listPostgresPartitions, trailFileName } from '@obs/store-format';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { built } from './test/built.js';
import { dropSchema, withSchema } from './test/schema-client.js';
import { freshSchema } from './testing/fresh-schema.js';

const { createPostgresSink, importTrailPostgres, importPositionPath, prunePostgres } =
  await built<typeof import('./index.js')>('index.js');
const url = inject('pgUrl');
const DAY = 86_400_000;
const START = Date.UTC(2026, 2, 1);
const dir = mkdtempSync(join(tmpdir(), 'obs-pg-rebuild-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const schemas: string[] = [];
afterEach(async () => {
  for (const s of schemas.splice(0)) await dropSchema(url, s);
});
const schema = () => {
  const s = freshSchema('rebuild');
  schemas.push(s);
  return s;
};
const rows = (s: string, sql: string) => withSchema(url, s, async (c) => (await c.query(sql)).rows);

/** A UUIDv7 made at `ms`. */
const idAt = (ms: number, n: number) => {
  const hex = ms.toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8)}-7000-8000-${String(n).padStart(12, '0')}`;
};

/** 3 000 events over three UTC days; runs and sessions span the day boundaries. */
const EVENTS: Envelope[] = Array.from({ length: 3000 }, (_, i) => {
  const at = START + Math.floor((i * 3 * DAY) / 3000);
  const run = Math.floor(i / 150);
  const type = i % 150 === 149 ? 'run.finished' : i % 4 === 0 ? 'llm.call' : 'log';
  return makeEnvelope(i + 1, {
    event_id: idAt(at, i),
    timestamp: new Date(at).toISOString(),
    event_type: type,
    run_id: `run-${run}`,
    session_id: `s-${run % 4}`,
    turn_number: i % 9,
    status: type === 'llm.call' ? (i % 40 === 0 ? 'error' : 'ok') : null,
    duration_ms: type === 'log' ? null : (i % 97) + 1,
    payload:
      type === 'llm.call'
        ? { provider: 'p', model: 'm', prompt_tokens: i % 50, completion_tokens: 3, cost_usd: 0.002 }
        : type === 'run.finished'
          ? { outcome: 'success' }
          : { level: 'info', message: `event ${i}` },
  });
});

/** The trail of {@link EVENTS}: one file per day, the first gzipped. */
function writeTrail(name: string): string {
  const trail = join(dir, name);
  mkdirSync(trail);
  for (let d = 0; d < 3; d++) {
    const day = EVENTS.filter((e) => Math.floor((Date.parse(e.timestamp) - START) / DAY) === d);
    const text = `${day.map((e) => serializeEnvelope(e)).join('\n')}\n`;
    const file = join(trail, trailFileName('events', START + d * DAY, 0));
    if (d === 0) writeFileSync(`${file}.gz`, gzipSync(text));
    else writeFileSync(file, text);
  }
  return trail;
}

/** Writes `events` live through the sink into a new schema: the reference a rebuild must equal. */
async function live(events: readonly Envelope[]): Promise<string> {
  const s = schema();
  const sink = createPostgresSink({ url, schema: s });
  await sink.write(events.map((e) => new EventRecord(e)));
  await sink.close();
  return s;
}

const round = (v: unknown) => (typeof v === 'number' ? Math.round(v * 1e9) / 1e9 : v);
/** Summaries and rollups without the surrogate keys, costs rounded (float sums depend on the batch split). */
async function state(s: string) {
  const strip = (list: Record<string, unknown>[], drop: string[]) =>
    list.map((r) =>
      Object.fromEntries(
        Object.entries(r)
          .filter(([k]) => !drop.includes(k))
          .map(([k, v]) => [k, round(v)]),
      ),
    );
  return {
    events: await rows(s, 'SELECT event_id::text, ts, json FROM events ORDER BY event_id'),
    runs: strip(await rows(s, 'SELECT * FROM runs ORDER BY run_id'), ['run_key']),
    sessions: strip(await rows(s, 'SELECT * FROM sessions ORDER BY session_id'), ['session_key']),
    rollups: strip(await rows(s, 'SELECT * FROM stats_rollups ORDER BY bucket_ms, bucket_ts, dims'), [
      'latency',
    ]),
  };
}

describe('importTrailPostgres', () => {
  it('rebuilds the store as live writing makes it; a rerun inserts nothing', async () => {
    const trail = writeTrail('full');
    const s = schema();
    const first = await importTrailPostgres(trail, { into: url, schema: s, batchSize: 700 });
    expect(first).toMatchObject({ read: 3000, inserted: 3000, duplicates: 0, corrupt: 0, resumed: false });
    expect(first.bytes).toBe(first.totalBytes);
    expect(await state(s)).toEqual(await state(await live(EVENTS)));
    const again = await importTrailPostgres(trail, { into: url, schema: s });
    expect(again).toMatchObject({ read: 3000, inserted: 0, duplicates: 3000 });
    expect(existsSync(importPositionPath(trail, url, s))).toBe(false);
  });

  it('resumes after an interrupted import from the saved position, counting nothing twice', async () => {
    const trail = writeTrail('resume');
    const s = schema();
    let batches = 0;
    await expect(
      importTrailPostgres(trail, {
        into: url,
        schema: s,
        batchSize: 500,
        onProgress: () => {
          if (++batches === 3) throw new Error('killed');
        },
      }),
    ).rejects.toThrow('killed');
    expect(existsSync(importPositionPath(trail, url, s))).toBe(true);
    const rest = await importTrailPostgres(trail, { into: url, schema: s, batchSize: 500 });
    // batches pending when the third one's report failed may have committed: they come back as duplicates
    expect(rest).toMatchObject({ resumed: true, read: 1500 });
    expect(rest.inserted + rest.duplicates).toBe(1500);
    expect(rest.inserted).toBeGreaterThanOrEqual(500);
    expect(await state(s)).toEqual(await state(await live(EVENTS)));
  });

  it('refuses bad options and a URL that is not postgres, without echoing a password', async () => {
    await expect(importTrailPostgres(join(dir, 'none'), { into: url, batchSize: 0 })).rejects.toThrow(
      /batchSize must be a whole number/,
    );
    await expect(importTrailPostgres(join(dir, 'none'), { into: 'mysql://u:secret@h/db' })).rejects.toThrow(
      /postgres:\/\//,
    );
    const wrong = new URL(url);
    wrong.password = 'hunter2-secret';
    const trail = writeTrail('refused');
    const error = await importTrailPostgres(trail, { into: wrong.href, schema: schema() }).catch((e) => e);
    expect(String(error.message)).toMatch(/password authentication failed/);
    expect(String(error.message)).not.toContain('hunter2-secret');
  });
});

describe('prunePostgres', () => {
  it('drops whole days before the cut and leaves what writing the remaining events live gives', async () => {
    const s = await live(EVENTS);
    const cut = START + DAY + 5 * 3_600_000; // inside day 2: the cut moves to its start
    const result = await prunePostgres(url, { before: new Date(cut).toISOString(), schema: s, chunk: 3 });
    expect(result.before).toBe(START + DAY);
    expect(result.partitions).toEqual(['events_p20260301']);
    expect(result.stragglers).toBe(0);
    expect(result.runs.deleted).toBeGreaterThan(0);
    expect(result.runs.updated).toBe(1);
    expect(result.sessions.updated).toBe(4);
    expect(result.rollups).toBeGreaterThan(0);
    const remaining = EVENTS.filter((e) => Date.parse(e.timestamp) >= START + DAY);
    expect(await state(s)).toEqual(await state(await live(remaining)));
    const partitions = await withSchema(url, s, (c) => listPostgresPartitions(c));
    expect(partitions[0]?.name).toBe('events_p20260302');
    const again = await prunePostgres(url, { before: cut, schema: s });
    expect(again).toMatchObject({
      partitions: [],
      stragglers: 0,
      rollups: 0,
      runs: { updated: 0, deleted: 0 },
    });
  });

  it('next to a live writer adding to the runs it recomputes, ends as writing everything that remains live', async () => {
    const s = await live(EVENTS);
    // run-6 and every session have events on both sides of the cut: the writer adds to exactly those
    const extras = Array.from({ length: 200 }, (_, i) => {
      const at = START + 2 * DAY + 3_600_000 + i * 1000;
      return makeEnvelope(10_000 + i, {
        event_id: idAt(at, 10_000 + i),
        timestamp: new Date(at).toISOString(),
        run_id: i % 2 === 0 ? 'run-6' : 'run-12',
        session_id: `s-${i % 4}`,
        turn_number: 20,
      });
    });
    const sink = createPostgresSink({ url, schema: s });
    const writing = (async () => {
      for (let i = 0; i < extras.length; i += 10) {
        await sink.write(extras.slice(i, i + 10).map((e) => new EventRecord(e)));
      }
    })();
    const result = await prunePostgres(url, { before: START + DAY, schema: s, chunk: 1 });
    await writing;
    await sink.close();
    expect(result.runs.updated).toBe(1);
    const remaining = EVENTS.filter((e) => Date.parse(e.timestamp) >= START + DAY);
    expect(await state(s)).toEqual(await state(await live([...remaining, ...extras])));
  });

  it('deletes an event of a kept day whose timestamp is before the cut, and recomputes its run', async () => {
    const skewed = makeEnvelope(1, {
      event_id: idAt(START + DAY + 1000, 9999),
      timestamp: new Date(START + 1000).toISOString(),
      run_id: 'run-skewed',
    });
    const kept = makeEnvelope(2, {
      event_id: idAt(START + DAY + 2000, 9998),
      timestamp: new Date(START + DAY + 2000).toISOString(),
      run_id: 'run-skewed',
    });
    const s = await live([skewed, kept]);
    const result = await prunePostgres(url, { before: START + DAY, schema: s });
    expect(result).toMatchObject({ partitions: [], stragglers: 1, runs: { updated: 1, deleted: 0 } });
    expect(await rows(s, 'SELECT event_count, first_ts FROM runs')).toEqual([
      { event_count: 1, first_ts: START + DAY + 2000 },
    ]);
  });

  it('refuses a bad time, a bad chunk and a schema without obs tables', async () => {
    await expect(prunePostgres(url, { before: 'soon' })).rejects.toThrow(/before must be an ISO time/);
    await expect(prunePostgres(url, { before: 0, chunk: 0 })).rejects.toThrow(/chunk must be/);
    await expect(prunePostgres(url, { before: 0, schema: freshSchema('none') })).rejects.toThrow(
      /no obs tables/,
    );
  });
});
