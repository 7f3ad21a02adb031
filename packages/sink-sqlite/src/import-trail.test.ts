import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { EventRecord, serializeEnvelope } from '@obs/core';
import { makeEnvelope } from '@obs/core/testing';
import { trailFileName } from '@obs/store-format';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { built } from './test/built.js';
import { fixture, tempDir } from './test/fixtures.js';

// the writer thread runs a built module file: load the import from dist
const { createSqliteSink, importCursorPath, importTrail } =
  await built<typeof import('./index.js')>('index.js');

const { dir, cleanup } = tempDir();
const trail = join(dir, 'trail');
const TOTAL = 60_000;
afterAll(() => cleanup());

/** 60k events in 3 files (the first gzipped), 600 runs over 50 sessions, llm calls and run ends among them. */
beforeAll(() => {
  mkdirSync(trail);
  let seq = 0;
  for (let f = 0; f < 3; f++) {
    const lines: string[] = [];
    for (let i = 0; i < TOTAL / 3; i++) {
      seq++;
      const run = Math.floor(seq / 100);
      const type = seq % 100 === 0 ? 'run.finished' : seq % 3 === 0 ? 'llm.call' : 'log';
      const payload =
        type === 'llm.call'
          ? {
              provider: 'openai',
              model: 'gpt-4o',
              prompt_tokens: seq % 50,
              completion_tokens: 5,
              cost_usd: 0.001,
            }
          : type === 'run.finished'
            ? { outcome: 'success' }
            : { level: 'info', message: `event ${seq}` };
      lines.push(
        serializeEnvelope(
          makeEnvelope(seq, { event_type: type, run_id: `run-${run}`, session_id: `s-${run % 50}`, payload }),
        ),
      );
    }
    const name = trailFileName('events', Date.UTC(2026, 0, 1, f), 0);
    const text = `${lines.join('\n')}\n`;
    if (f === 0) writeFileSync(join(trail, `${name}.gz`), gzipSync(text));
    else writeFileSync(join(trail, name), text);
  }
});

/** Costs are float sums: batches split differently add them in another order. */
const rounded = (rows: unknown[]) =>
  (rows as Record<string, unknown>[]).map(
    (r): Record<string, unknown> => ({ ...r, cost_usd: Math.round(Number(r['cost_usd']) * 1e9) / 1e9 }),
  );

/** What a store holds; read-write, so a hot journal a killed rebuild left is rolled back first. */
function summaries(path: string) {
  const db = new Database(path);
  try {
    return {
      events: (db.prepare('SELECT COUNT(*) AS n FROM event_rows').get() as { n: number }).n,
      runs: rounded(db.prepare('SELECT * FROM runs ORDER BY run_id').all()),
      sessions: rounded(db.prepare('SELECT * FROM sessions ORDER BY session_id').all()),
      rollups: db
        .prepare(
          'SELECT bucket_ms, SUM(event_count) AS n, SUM(prompt_tokens) AS tokens FROM stats_rollups GROUP BY 1 ORDER BY 1',
        )
        .all(),
    };
  } finally {
    db.close();
  }
}

/** Byte 18 of the file's header: 1 in rollback-journal mode, 2 in WAL mode. */
const header18 = (path: string) => readFileSync(path)[18];

/** The numbers reported on whole lines. */
const whole = (out: string) =>
  out
    .split('\n')
    .slice(0, -1)
    .filter((l) => /^\d+$/.test(l))
    .map(Number);

/** Runs the import in a child and SIGKILLs it once it reported `after` events committed; resolves with the last report. */
function importAndKill(into: string, after: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fixture('import-child.mjs'), trail, into], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const reported = whole(out);
      if ((reported.at(-1) ?? 0) >= after && child.exitCode === null) child.kill('SIGKILL');
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      if (signal !== 'SIGKILL')
        return reject(new Error(`the import was not killed: ${out.slice(-200)} ${err}`));
      resolve(whole(out).at(-1) ?? 0);
    });
  });
}

describe('importTrail', () => {
  it('rebuilds the store through the writer: every event once, summaries as if written live', async () => {
    const into = join(dir, 'whole.db');
    const result = await importTrail(trail, { into });
    expect(result).toMatchObject({
      read: TOTAL,
      inserted: TOTAL,
      duplicates: 0,
      corrupt: 0,
      resumed: false,
      rebuild: true,
    });
    // rebuilt without a WAL, then left in WAL mode as a live sink leaves a store
    expect(header18(into)).toBe(2);
    const s = summaries(into);
    expect(s.events).toBe(TOTAL);
    expect(s.runs).toHaveLength(601);
    expect(s.runs.filter((r) => (r as unknown as { status: string }).status === 'success')).toHaveLength(600);
    expect((s.rollups as { n: number }[]).map((r) => r.n)).toEqual([TOTAL, TOTAL, TOTAL]);
    const again = await importTrail(trail, { into });
    expect(again).toMatchObject({ inserted: 0, duplicates: TOTAL, rebuild: false });
    expect(summaries(into)).toEqual(s);
  });

  it('after a kill mid-import, a rerun continues and ends with the exact count and the same summaries', {
    timeout: 120_000,
  }, async () => {
    const into = join(dir, 'killed.db');
    const reported = await importAndKill(into, 15_000);
    expect(reported).toBeGreaterThanOrEqual(15_000);
    expect(reported).toBeLessThan(TOTAL);
    // killed mid-rebuild: the file is still in rollback-journal mode, the marker a rerun resumes by
    expect(header18(into)).toBe(1);
    const partial = summaries(into).events;
    expect(partial).toBeGreaterThanOrEqual(15_000);
    expect(partial).toBeLessThan(TOTAL);
    // a batch torn by the kill was rolled back: whole batches of 500 only
    expect(partial % 500).toBe(0);
    const resumed = await importTrail(trail, { into });
    expect(resumed).toMatchObject({ resumed: true, rebuild: true });
    expect(header18(into)).toBe(2);
    expect(resumed.read).toBeLessThan(TOTAL);
    expect(resumed.inserted).toBe(TOTAL - partial);
    const reference = join(dir, 'reference.db');
    await importTrail(trail, { into: reference });
    const [got, want] = [summaries(into), summaries(reference)];
    expect(got).toEqual(want);
  });

  it('writes beside a live sink that holds a still-empty store open, through the WAL', async () => {
    const into = join(dir, 'shared.db');
    const live = createSqliteSink({ path: into });
    try {
      const result = await importTrail(trail, { into });
      expect(result).toMatchObject({ inserted: TOTAL, rebuild: false });
      live.writeSync([new EventRecord(makeEnvelope(TOTAL + 1, { run_id: 'live' }))]);
    } finally {
      await live.close();
    }
    expect(summaries(into).events).toBe(TOTAL + 1);
    expect(header18(into)).toBe(2);
  });

  it('refuses a bad batch size and skips corrupt lines, counting them', async () => {
    await expect(importTrail(trail, { into: join(dir, 'x.db'), batchSize: 0 })).rejects.toThrow(/batchSize/);
    // the reading thread's error comes back with its code
    await expect(importTrail(join(dir, 'no-such-trail'), { into: join(dir, 'y.db') })).rejects.toMatchObject({
      code: 'OBS_VALIDATION',
      message: expect.stringContaining('ENOENT'),
    });
    const bad = join(dir, 'bad');
    mkdirSync(bad);
    const good = serializeEnvelope(makeEnvelope(1));
    // envelopes that parse as JSON but break the schema in ways a quick check could miss
    const hostile = [
      good.replace(/"event_id":"([^"]+)"/, (_, id: string) => `"event_id":"${id.toUpperCase()}"`),
      good.replace(/"timestamp":"[^"]+"/, '"timestamp":"2026-02-30T00:00:00.000Z"'),
      good.replace('"seq":1,', '"seq":9007199254740993,'),
      good.replace('"payload":{', '"extra":1,"payload":{'),
      good.replace(/"payload":\{.*\}\}$/, '"payload":[]}'),
      good.replace('"audit_level":"turn"', '"audit_level":"TURN"'),
      good.replace('"run_id":"', `"run_id":"${'r'.repeat(300)}`),
      '{"__proto__":{"schema_version":1}}',
      JSON.stringify([JSON.parse(good)]),
      `${good.slice(0, -1)},"payload":{}}`.replace('"payload":{', '"x":{'),
    ];
    writeFileSync(join(bad, 'events.jsonl'), `${good}\n{"torn\nnot json\n${hostile.join('\n')}\n`);
    const r = await importTrail(bad, { into: join(dir, 'bad.db') });
    expect(r).toMatchObject({ read: 1, inserted: 1, corrupt: 2 + hostile.length });
    const db = new Database(join(dir, 'bad.db'), { readonly: true });
    expect(db.prepare('SELECT json FROM event_rows').pluck().all()).toEqual([good]);
    db.close();
    expect(importCursorPath('a.db')).toBe('a.db.import.json');
    // a store path that is not a database, even with the rebuild marker byte: refused, the file left as it was
    const notDb = join(dir, 'not-a-db.db');
    const garbage = Buffer.from('SQLite format 3\0'.padEnd(200, 'x'));
    garbage[18] = 1;
    writeFileSync(notDb, garbage);
    await expect(importTrail(bad, { into: notDb })).rejects.toMatchObject({ code: 'OBS_SINK' });
    expect(readFileSync(notDb)).toEqual(garbage);
  });
});
