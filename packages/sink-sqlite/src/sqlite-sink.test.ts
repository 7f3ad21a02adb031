import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createObservability, ObsError, ObsTransientError, ObsValidationError } from '@obs/core';
import { makeRecord } from '@obs/core/testing';
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

const open = (path: string) => new Database(path, { readonly: true });
/** The built sink: its writer thread runs `dist/`, so `worker: true` needs it. */
const builtSink = () =>
  import(new URL('../dist/index.js', import.meta.url).href) as Promise<typeof import('./index.js')>;

describe('createSqliteSink', () => {
  it('stores events through the service with run and session summaries', async () => {
    const path = join(dir, 'obs.db');
    const sink = createSqliteSink({ path });
    expect(sink.migration).toEqual({ from: 0, to: 6, applied: [1, 2, 3, 4, 5, 6] });
    const obs = createObservability({ source: 'agent', sinks: [sink] });
    await obs.withContext({ run_id: 'r1', session_id: 's1', turn_number: 1 }, async () => {
      obs.emit('run.started', { agent: 'a' });
      obs.emit('llm.call', {
        provider: 'p',
        model: 'm',
        prompt_tokens: 100,
        completion_tokens: 20,
        cost_usd: 0.5,
      });
      obs.emit('llm.call', { provider: 'p', model: 'm', total_tokens: 7, cost_usd: 0.25 });
      obs.emit('error', { stage: 'tool', message: 'boom', recoverable: true });
      obs.emit('tool.result', { tool: 't', success: false }, { status: 'error' });
      obs.emit('run.finished', { outcome: 'failure' }, { turn_number: 3, duration_ms: 1234 });
    });
    obs.withContext({ run_id: 'r2' }, () => obs.emit('log', { level: 'info', message: 'x' }));
    await obs.shutdown();

    const db = open(path);
    expect(db.prepare('SELECT count(*) AS n FROM events').get()).toEqual({ n: 7 });
    const r1 = db.prepare("SELECT * FROM runs WHERE run_id = 'r1'").get() as Record<string, unknown>;
    expect(r1).toMatchObject({
      source: 'agent',
      session_id: 's1',
      status: 'failure',
      event_count: 6,
      error_count: 2,
      llm_call_count: 2,
      prompt_tokens: 100,
      completion_tokens: 20,
      total_tokens: 127,
      cost_usd: 0.75,
      duration_ms: 1234,
    });
    expect(r1['ended_ts']).toBeGreaterThanOrEqual(r1['started_ts'] as number);
    expect(db.prepare("SELECT status, event_count, duration_ms FROM runs WHERE run_id = 'r2'").get()).toEqual(
      {
        status: 'running',
        event_count: 1,
        duration_ms: null,
      },
    );
    expect(db.prepare('SELECT * FROM sessions').get()).toMatchObject({
      session_id: 's1',
      event_count: 6,
      error_count: 2,
      total_tokens: 127,
      max_turn_number: 3,
      status: 'error',
    });
    const row = db
      .prepare("SELECT * FROM events WHERE event_type = 'llm.call' ORDER BY ts, id")
      .get() as Record<string, unknown>;
    expect(JSON.parse(row['json'] as string)).toMatchObject({ event_id: row['event_id'], run_id: 'r1' });
    expect(JSON.parse(row['payload'] as string)).toMatchObject({ prompt_tokens: 100 });
    db.close();
  });

  it('skips a re-delivered event_id without counting it twice', () => {
    const path = join(dir, 'obs.db');
    const sink = createSqliteSink({ path });
    const batch = [makeRecord(1, { run_id: 'r' }), makeRecord(2, { run_id: 'r', status: 'error' })];
    sink.write(batch);
    sink.write([...batch, makeRecord(3, { run_id: 'r' })]);
    expect(sink.duplicates).toBe(2);
    sink.close();
    const db = open(path);
    expect(db.prepare('SELECT count(*) AS n FROM events').get()).toEqual({ n: 3 });
    expect(db.prepare('SELECT event_count, error_count FROM runs').get()).toEqual({
      event_count: 3,
      error_count: 1,
    });
    db.close();
  });

  it('counts each new event once when a multi-row insert holds stored and repeated ids', () => {
    const path = join(dir, 'obs.db');
    const sink = createSqliteSink({ path });
    const records = Array.from({ length: 728 }, (_, i) =>
      makeRecord(i + 1, { run_id: `r${(i + 1) % 3}`, status: (i + 1) % 5 === 0 ? 'error' : 'ok' }),
    );
    const record = (seq: number) => records[seq - 1]!;
    // every third of events 1..600 stored first
    sink.writeSync(Array.from({ length: 200 }, (_, i) => record(3 * i + 1)));
    // then 1..600 with 5 repeated in the same statement and 7 in another: 4 statements of 128 rows, the other 90 one by one
    const all = records.slice(0, 600);
    sink.writeSync([...all.slice(0, 10), record(5), ...all.slice(10, 300), record(7), ...all.slice(300)]);
    expect(sink.duplicates).toBe(202);
    // a statement of only stored ids, then one of only new ones
    sink.writeSync([...all.slice(0, 128), ...records.slice(600)]);
    expect(sink.duplicates).toBe(330);
    sink.close();
    const db = open(path);
    expect(db.prepare('SELECT count(*) AS n FROM event_rows').get()).toEqual({ n: 728 });
    const runs = db.prepare('SELECT run_id, event_count, error_count FROM runs ORDER BY run_id').all();
    const want = ['r0', 'r1', 'r2'].map((run_id, k) => {
      const seqs = Array.from({ length: 728 }, (_, i) => i + 1).filter((s) => s % 3 === k);
      return { run_id, event_count: seqs.length, error_count: seqs.filter((s) => s % 5 === 0).length };
    });
    expect(runs).toEqual(want);
    db.close();
  });

  it('fails a write at once with a transient OBS_SINK error while another writer holds the lock, keeping nothing half-written', async () => {
    const path = join(dir, 'obs.db');
    const sink = createSqliteSink({ path, busyTimeoutMs: 1 });
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE');
    const batch = [makeRecord(5), makeRecord(6)];
    const error = (() => {
      try {
        sink.write(batch);
      } catch (e) {
        return e;
      }
    })();
    // no retry loop in the sink: the service's queue retries a transient error
    expect(error).toBeInstanceOf(ObsTransientError);
    expect(error).toMatchObject({
      code: 'OBS_SINK',
      transient: true,
      message: expect.stringMatching(/database is locked/),
      cause: expect.objectContaining({ code: 'SQLITE_BUSY' }),
    });
    expect(sink.health?.()).toMatchObject({ ok: false });
    other.exec('COMMIT');
    other.close();
    sink.write(batch);
    expect(sink.health?.()).toEqual({ ok: true });
    sink.close();
    const db = open(path);
    expect(db.prepare('SELECT count(*) AS n, (SELECT event_count FROM runs) AS c FROM events').get()).toEqual(
      {
        n: 2,
        c: 2,
      },
    );
    db.close();
  });

  it.each([false, true])(
    'through the service, waits out another writer holding the lock (worker: %s)',
    async (worker) => {
      const path = join(dir, 'obs.db');
      const sink = (worker ? (await builtSink()).createSqliteSink : createSqliteSink)({
        path,
        busyTimeoutMs: 1,
        worker,
      });
      const other = new Database(path);
      other.exec('BEGIN IMMEDIATE');
      const errors: unknown[] = [];
      const obs = createObservability({
        source: 'busy',
        defaultRunId: 'r',
        sinks: [{ sink, queue: { retryBaseMs: 1 } }],
        // the lock is released once the sink has reported it busy: the retry then goes through
        onError: (e) => {
          errors.push(e);
          if (other.inTransaction) other.exec('COMMIT');
        },
      });
      obs.emit('log', { level: 'info', message: 'waits' });
      await obs.flush();
      expect(errors[0]).toMatchObject({
        transient: true,
        cause: expect.objectContaining({ code: 'SQLITE_BUSY' }),
      });
      expect(obs.stats().sinks[0]).toMatchObject({ written: 1, failed: 0, retries: 1 });
      await obs.shutdown();
      other.close();
      const db = open(path);
      expect(db.prepare('SELECT count(*) AS n FROM events').get()).toEqual({ n: 1 });
      db.close();
    },
  );

  it('throws OBS_CLOSED on a write after close; close is idempotent', () => {
    const sink = createSqliteSink({ path: join(dir, 'obs.db') });
    sink.close();
    sink.close();
    expect(() => sink.write([makeRecord(7)])).toThrow(expect.objectContaining({ code: 'OBS_CLOSED' }));
    expect(sink.health?.()).toEqual({ ok: false, detail: 'closed' });
  });

  it('rejects bad options, naming each one', () => {
    const attempt = (options: unknown) => () => createSqliteSink(options as never);
    expect(attempt({ path: '' })).toThrow(ObsValidationError);
    expect(attempt({ path: '' })).toThrow(/path: expected a database file path/);
    expect(attempt({ path: 'x.db', busyTimeoutMs: -1 })).toThrow(/busyTimeoutMs/);
    expect(attempt({ path: 'x.db', synchronous: 'SOMETIMES' })).toThrow(/synchronous/);
    expect(attempt({ path: 'x.db', cacheSize: 1 })).toThrow(/unrecognized key/i);
    expect(attempt({ path: 'x.db', checkpoint: 'sometimes' })).toThrow(/checkpoint: expected "background"/);
    expect(attempt({ path: 'x.db', checkpointIntervalMs: 0 })).toThrow(/checkpointIntervalMs/);
    expect(attempt(null)).toThrow(ObsValidationError);
  });

  it('refuses a file that is not a database with OBS_SINK, naming the file', () => {
    const path = join(dir, 'notes.txt');
    writeFileSync(path, 'this is not a SQLite database, just some text that is long enough '.repeat(100));
    const error = (() => {
      try {
        createSqliteSink({ path });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ObsError);
    expect(error).toMatchObject({ code: 'OBS_SINK', message: expect.stringContaining('notes.txt') });
  });
});
