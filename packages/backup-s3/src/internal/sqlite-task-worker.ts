import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { type EVENT_COLUMNS, type EVENT_ROW_COLUMNS, SQLITE_TABLES } from '@obs/store-format';
import Database from 'better-sqlite3';

/** What the thread is asked to do: snapshot a live database, or check a restored one. */
export type SqliteTask =
  | { kind: 'snapshot'; source: string; target: string; busyTimeoutMs: number }
  | { kind: 'verify'; path: string }
  | { kind: 'drill'; path: string };

/** Facts about a snapshot, read from the snapshot itself. */
export interface SnapshotFacts {
  bytes: number;
  sha256: string;
  pageSize: number;
  sqliteVersion: string;
  schemaVersion: number;
  eventCount: number;
  firstTimestamp: string | null;
  lastTimestamp: string | null;
}

/** What a restore drill read from the restored file. */
export interface DrillFacts {
  /** `integrity_check`'s rows: `['ok']`, or the problems found. */
  integrity: string[];
  eventCount: number;
  firstTimestamp: string | null;
  lastTimestamp: string | null;
}

/** The thread's one answer: the task's value, or the SQLite failure with SQLite's code. */
export type SqliteTaskReply =
  | { ok: true; value: SnapshotFacts | DrillFacts | string[] }
  | { ok: false; message: string; code: string | undefined };

/** A column name checked against the obs schema's column lists. */
const rowColumn = (name: (typeof EVENT_ROW_COLUMNS)[number]) => name;
const eventColumn = (name: (typeof EVENT_COLUMNS)[number]) => name;

function sha256(path: string): string {
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(1 << 20);
  const fd = openSync(path, 'r');
  try {
    for (let n = readSync(fd, buffer); n > 0; n = readSync(fd, buffer)) hash.update(buffer.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

function columnsOf(db: Database.Database, table: string): string[] {
  return (db.pragma(`table_info(${table})`) as { name: string }[]).map((c) => c.name);
}

/**
 * Event count and time range of a snapshot. The current schema keeps events in `event_rows`, read by
 * index: the timestamps of the events with the smallest and largest `ts`, from their JSON. Files of
 * schema 1 and 2 have an `events` table with a `timestamp` column; other databases may have no events.
 */
function eventFacts(db: Database.Database): { count: number; first: unknown; last: unknown } {
  const rows = SQLITE_TABLES.eventRows;
  const ts = rowColumn('ts');
  if (columnsOf(db, rows).length > 0) {
    const edge = (order: 'ASC' | 'DESC') =>
      db
        .prepare(
          `SELECT json_extract(${rowColumn('json')}, '$.timestamp') FROM ${rows} ORDER BY ${ts} ${order} LIMIT 1`,
        )
        .pluck()
        .get();
    return {
      count: db.prepare(`SELECT count(*) FROM ${rows}`).pluck().get() as number,
      first: edge('ASC'),
      last: edge('DESC'),
    };
  }
  const events = SQLITE_TABLES.events;
  const columns = columnsOf(db, events);
  if (columns.length === 0) return { count: 0, first: null, last: null };
  const timestamp = eventColumn('timestamp');
  const range = columns.includes(timestamp)
    ? (db.prepare(`SELECT min(${timestamp}) AS first, max(${timestamp}) AS last FROM ${events}`).get() as {
        first: unknown;
        last: unknown;
      })
    : { first: null, last: null };
  return { count: db.prepare(`SELECT count(*) FROM ${events}`).pluck().get() as number, ...range };
}

const integrityOf = (db: Database.Database) =>
  (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check);

/** `integrity_check` of a restored file: `['ok']`, or the problems found. */
function verify(path: string): string[] {
  const db = new Database(path, { fileMustExist: true });
  try {
    return integrityOf(db);
  } finally {
    db.close();
  }
}

const DRILL_CACHE_KIB = 64 * 1024;

/** A drill's checks of a restored file, read-only: integrity, then the facts the manifest states. */
function drill(path: string): DrillFacts {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    // integrity_check looks every index entry up in its table: a larger page cache (64 MiB) saves re-reads
    db.pragma(`cache_size = -${DRILL_CACHE_KIB}`);
    const integrity = integrityOf(db);
    if (integrity.length !== 1 || integrity[0] !== 'ok')
      return { integrity, eventCount: 0, firstTimestamp: null, lastTimestamp: null };
    const { count, first, last } = eventFacts(db);
    return {
      integrity,
      eventCount: count,
      firstTimestamp: typeof first === 'string' ? first : null,
      lastTimestamp: typeof last === 'string' ? last : null,
    };
  } finally {
    db.close();
  }
}

/**
 * A consistent copy of a live database: `VACUUM INTO` on a connection of its own reads in one
 * transaction (WAL included, writers not blocked); then the facts of the copy.
 */
function snapshot(source: string, target: string, busyTimeoutMs: number): SnapshotFacts {
  const live = new Database(source, { fileMustExist: true, timeout: busyTimeoutMs });
  try {
    live.prepare('VACUUM INTO ?').run(target);
  } finally {
    live.close();
  }
  const snap = new Database(target, { readonly: true, fileMustExist: true });
  try {
    const { count, first, last } = eventFacts(snap);
    return {
      bytes: statSync(target).size,
      sha256: sha256(target),
      pageSize: snap.pragma('page_size', { simple: true }) as number,
      sqliteVersion: snap.prepare('SELECT sqlite_version()').pluck().get() as string,
      schemaVersion: snap.pragma('user_version', { simple: true }) as number,
      eventCount: count,
      firstTimestamp: typeof first === 'string' ? first : null,
      lastTimestamp: typeof last === 'string' ? last : null,
    };
  } finally {
    snap.close();
  }
}

function run(task: SqliteTask): SqliteTaskReply {
  try {
    const value =
      task.kind === 'verify'
        ? verify(task.path)
        : task.kind === 'drill'
          ? drill(task.path)
          : snapshot(task.source, task.target, task.busyTimeoutMs);
    return { ok: true, value };
  } catch (error) {
    const e = error as { message?: unknown; code?: unknown };
    return {
      ok: false,
      message: String(e?.message ?? error),
      code: typeof e?.code === 'string' ? e.code : undefined,
    };
  }
}

parentPort!.postMessage(run(workerData as SqliteTask) satisfies SqliteTaskReply);
