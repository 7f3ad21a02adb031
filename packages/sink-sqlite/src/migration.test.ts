import { join } from 'node:path';
import { serializeEnvelope } from '@obs/core';
import { makeEnvelope, makeRecord } from '@obs/core/testing';
import {
  assertSqliteSchemaCurrent,
  EVENT_COLUMNS,
  migrateSqliteSchema,
  SQLITE_SCHEMA_VERSION,
  SqliteSchemaError,
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

/** Schema version 1 as it shipped, written out here so the test pins the layout files in the field have. */
function makeV1(path: string, lines: string[]): void {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec(`
    CREATE TABLE events (event_id TEXT PRIMARY KEY, event_type TEXT NOT NULL, timestamp TEXT NOT NULL,
      seq INTEGER NOT NULL, source TEXT NOT NULL, run_id TEXT NOT NULL, session_id TEXT, parent_event_id TEXT,
      status TEXT, json TEXT NOT NULL);
    CREATE INDEX events_run_id ON events(run_id);
    PRAGMA user_version = 1;`);
  const insert = db.prepare('INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  for (const line of lines) {
    const e = JSON.parse(line);
    insert.run(
      e.event_id,
      e.event_type,
      e.timestamp,
      e.seq,
      e.source,
      e.run_id,
      e.session_id,
      e.parent_event_id,
      e.status,
      line,
    );
  }
  db.close();
}

describe('schema migrations', () => {
  it('upgrades a version 1 file in place, keeping every canonical line and building the summaries', async () => {
    const path = join(dir, 'v1.db');
    const t = (s: number) => new Date(Date.UTC(2026, 0, 2, 3, 4, s, 678)).toISOString();
    const v1 = [
      makeEnvelope(1, {
        event_type: 'run.started',
        payload: { agent: 'a' },
        timestamp: t(0),
        session_id: 's',
        turn_number: 1,
      }),
      makeEnvelope(2, {
        event_type: 'llm.call',
        payload: { provider: 'p', model: 'm', prompt_tokens: 3, completion_tokens: 4, cost_usd: 0.5 },
        timestamp: t(1),
        session_id: 's',
        request_id: 'req',
        cycle: 2,
      }),
      makeEnvelope(3, {
        event_type: 'error',
        payload: { stage: 's', message: 'm', recoverable: false },
        timestamp: t(2),
        status: 'error',
      }),
      makeEnvelope(4, {
        event_type: 'run.finished',
        payload: { outcome: 'timeout' },
        timestamp: t(5),
        duration_ms: 4900,
      }),
      makeEnvelope(5, { run_id: 'other', timestamp: t(3), audit_level: 'export' }),
    ].map(serializeEnvelope);
    makeV1(path, v1);

    const sink = createSqliteSink({ path });
    expect(sink.migration).toEqual({ from: 1, to: SQLITE_SCHEMA_VERSION, applied: [2, 3, 4, 5, 6] });
    await sink.write([makeRecord(10, { run_id: 'run-1', timestamp: t(6), event_type: 'log' })]);
    await sink.close();

    const db = new Database(path, { readonly: true });
    expect(() => assertSqliteSchemaCurrent(db)).not.toThrow();
    const stored = db.prepare('SELECT json FROM events ORDER BY id').pluck().all();
    expect(stored.slice(0, 5).sort()).toEqual([...v1].sort());
    expect(
      db.prepare("SELECT request_id, cycle, ts, audit_level FROM events WHERE event_type = 'llm.call'").get(),
    ).toEqual({
      request_id: 'req',
      cycle: 2,
      ts: Date.UTC(2026, 0, 2, 3, 4, 1, 678),
      audit_level: 'turn',
    });
    expect(db.prepare("SELECT * FROM runs WHERE run_id = 'run-1'").get()).toMatchObject({
      status: 'timeout',
      event_count: 5,
      error_count: 1,
      total_tokens: 7,
      cost_usd: 0.5,
      session_id: 's',
      duration_ms: 4900,
      first_ts: Date.UTC(2026, 0, 2, 3, 4, 0, 678),
      last_ts: Date.UTC(2026, 0, 2, 3, 4, 6, 678),
    });
    expect(db.prepare('SELECT event_count, max_turn_number FROM sessions').get()).toEqual({
      event_count: 2,
      max_turn_number: 1,
    });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(
      db.prepare("SELECT count(*) FROM sqlite_master WHERE name IN ('events_v1', 'events_v2')").pluck().get(),
    ).toBe(0);
    db.close();
  });

  it('upgrades a version 2 file to the narrow table, its events view giving back every v2 column', async () => {
    const path = join(dir, 'v2.db');
    const lines = [
      makeEnvelope(1, {
        event_type: 'run.started',
        payload: { agent: 'a' },
        session_id: 's',
        turn_number: 3,
      }),
      makeEnvelope(2, {
        request_id: 'req',
        cycle: 4,
        parent_event_id: 'p-1',
        status: 'ok',
        duration_ms: 12.5,
      }),
      makeEnvelope(3, { run_id: 'other', source: 'svc-b', audit_level: 'export', status: 'error' }),
    ].map(serializeEnvelope);
    makeV1(path, lines);
    const v2 = new Database(path);
    migrateSqliteSchema(v2, { targetVersion: 2 });
    const columns = `id, ${EVENT_COLUMNS.join(', ')}`;
    const before = v2.prepare(`SELECT ${columns} FROM events ORDER BY id`).all();
    const runsBefore = v2.prepare('SELECT * FROM runs ORDER BY run_key').all();
    v2.close();
    expect(before).toHaveLength(3);

    const sink = createSqliteSink({ path });
    expect(sink.migration).toEqual({ from: 2, to: 6, applied: [3, 4, 5, 6] });
    await sink.write([makeRecord(4, { run_id: 'other' })]);
    await sink.close();

    const db = new Database(path, { readonly: true });
    expect(db.prepare(`SELECT ${columns} FROM events ORDER BY id LIMIT 3`).all()).toEqual(before);
    expect(db.prepare('SELECT * FROM runs ORDER BY run_key').all()).toMatchObject([
      runsBefore[0]!,
      { ...runsBefore[1]!, event_count: 2, last_ts: expect.any(Number) },
    ]);
    expect(db.prepare("SELECT type FROM sqlite_master WHERE name = 'events'").pluck().get()).toBe('view');
    // the indexes moved to the narrow table, and the planner uses them through the view
    const plan = db
      .prepare("EXPLAIN QUERY PLAN SELECT json FROM events WHERE run_id = 'other' ORDER BY ts")
      .all() as { detail: string }[];
    expect(plan.map((p) => p.detail).join('; ')).toMatch(/SEARCH e USING INDEX events_run \(run_key=\?\)/);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });

  it('upgrades a version 5 file with the span operation column filled from the stored JSON', async () => {
    const path = join(dir, 'v5.db');
    const span = (seq: number, operation: unknown) =>
      makeEnvelope(seq, { event_type: 'span', status: 'ok', duration_ms: 3, payload: { operation } });
    const lines = [
      span(1, 'plan'),
      span(2, 42),
      span(3, { nested: 'no' }),
      makeEnvelope(4, { payload: { operation: 'a log is not a span' } }),
      span(5, 'it\'s "quoted" ünïcode'),
    ].map(serializeEnvelope);
    makeV1(path, lines);
    const v5 = new Database(path);
    migrateSqliteSchema(v5, { targetVersion: 5 });
    expect(v5.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('event_rows')).not.toContain(
      'operation',
    );
    v5.close();

    const sink = createSqliteSink({ path });
    expect(sink.migration).toEqual({ from: 5, to: 6, applied: [6] });
    await sink.write([makeRecord(6, { event_type: 'span', status: 'ok', payload: { operation: 'new' } })]);
    await sink.close();

    const db = new Database(path, { readonly: true });
    expect(db.prepare('SELECT operation FROM event_rows ORDER BY id').pluck().all()).toEqual([
      'plan',
      null,
      null,
      null,
      'it\'s "quoted" ünïcode',
      'new',
    ]);
    // the run index covers the trace tree's columns
    expect(db.prepare('SELECT name FROM pragma_index_info(?)').pluck().all('events_run')).toEqual([
      'run_key',
      'ts',
      'id',
      'event_id',
      'parent_event_id',
      'type_key',
      'duration_ms',
      'operation',
    ]);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });

  it('refuses a file from a newer version with a clear SqliteSchemaError', () => {
    const path = join(dir, 'future.db');
    const db = new Database(path);
    db.pragma('user_version = 99');
    db.close();
    let error: unknown;
    try {
      createSqliteSink({ path });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SqliteSchemaError);
    expect(error).toMatchObject({ foundVersion: 99, supportedVersion: SQLITE_SCHEMA_VERSION });
    expect((error as Error).message).toMatch(/version 99, newer than the 6 this build supports/);
  });

  it('rolls a failing migration back completely, leaving the file at its old version', () => {
    const path = join(dir, 'v1.db');
    makeV1(path, [serializeEnvelope(makeEnvelope(6))]);
    const db = new Database(path);
    db.exec('CREATE TABLE runs (x)');
    db.close();
    expect(() => createSqliteSink({ path })).toThrow(
      /migration to schema version 2 .* failed: table runs already exists/,
    );
    const after = new Database(path, { readonly: true });
    expect(after.pragma('user_version', { simple: true })).toBe(1);
    expect(after.prepare('SELECT count(*) FROM events').pluck().get()).toBe(1);
    expect(() => assertSqliteSchemaCurrent(after)).toThrow(
      /version 1, expected 6; open it once with @obs\/sink-sqlite/,
    );
    after.close();
  });
});
