import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createObservability, ObsError, ObsValidationError } from '@obs/core';
import { makeRecord } from '@obs/core/testing';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteSink } from './sqlite-sink.js';
import { tempDir } from './test/fixtures.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
});
afterEach(() => cleanup());

const open = (path: string) => new Database(path, { readonly: true });

describe('createSqliteSink', () => {
  it('stores events through the service with run and session summaries', async () => {
    const path = join(dir, 'obs.db');
    const sink = createSqliteSink({ path });
    expect(sink.migration).toEqual({ from: 0, to: 3, applied: [1, 2, 3] });
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

  it('waits out another writer holding the lock, without blocking the event loop', async () => {
    const path = join(dir, 'obs.db');
    const sink = createSqliteSink({ path, busyTimeoutMs: 5 });
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE');
    const result = sink.write([makeRecord(4)]);
    expect(result).toBeInstanceOf(Promise);
    let settled = false;
    void Promise.resolve(result).then(
      () => (settled = true),
      () => (settled = true),
    );
    // while the lock is held the write can only wait: timers keep firing meanwhile (each turn is a
    // turn of the event loop the write did not block), then releasing the lock lets it through
    for (let turn = 0; turn < 10; turn++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect(settled).toBe(false);
    }
    other.exec('COMMIT');
    await result;
    other.close();
    sink.close();
    const db = open(path);
    expect(db.prepare('SELECT count(*) AS n FROM events').get()).toEqual({ n: 1 });
    db.close();
  });

  it('rejects with OBS_SINK when the lock stays held past busyRetryMs, and keeps nothing half-written', async () => {
    const path = join(dir, 'obs.db');
    const sink = createSqliteSink({ path, busyTimeoutMs: 1, busyRetryMs: 50 });
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE');
    const batch = [makeRecord(5), makeRecord(6)];
    await expect(sink.write(batch)).rejects.toMatchObject({
      code: 'OBS_SINK',
      message: /database is locked/,
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
