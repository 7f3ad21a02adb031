import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { OBS_ERROR_CODES, ObsError } from '@obs/core';
import { type MigrationResult, migrateSqliteSchema, SqliteSchemaError } from '@obs/store-format';
import Database from 'better-sqlite3';
import type { ResolvedSqliteSinkOptions } from '../options.js';
import { busyBackoffMs, isBusyError, sleepSync } from './busy.js';

/** An open, migrated connection tuned for writing. */
export interface OpenedDatabase {
  db: Database.Database;
  migration: MigrationResult;
}

/**
 * Opens the file, switches it to WAL, applies the connection pragmas and migrates the schema.
 * While opening, lock waits may last `openTimeoutMs` (several processes may open one new file at once);
 * afterwards the connection uses the short `busyTimeoutMs`.
 */
export function openDatabase(options: ResolvedSqliteSinkOptions): OpenedDatabase {
  const { path } = options;
  if (options.createDirectory && path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  let db: Database.Database;
  try {
    db = new Database(path);
  } catch (error) {
    throw new ObsError(
      OBS_ERROR_CODES.SINK,
      `cannot open SQLite database "${path}": ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  try {
    db.pragma(`busy_timeout = ${options.openTimeoutMs}`);
    const migration = withOpenRetry(options.openTimeoutMs, () => {
      if (path !== ':memory:') {
        // before the first table exists (a new file): `obs prune` then gives space back page by page
        db.pragma('auto_vacuum = INCREMENTAL');
        const mode = db.pragma('journal_mode = WAL', { simple: true });
        if (mode !== 'wal') throw new Error(`the file refused WAL mode (journal_mode is "${String(mode)}")`);
      }
      return migrateSqliteSchema(db);
    });
    db.pragma(`synchronous = ${options.synchronous}`);
    db.pragma(`cache_size = -${options.cacheSizeKiB}`);
    db.pragma(`wal_autocheckpoint = ${options.walAutocheckpointPages}`);
    db.pragma(`busy_timeout = ${options.busyTimeoutMs}`);
    return { db, migration };
  } catch (error) {
    db.close();
    if (error instanceof SqliteSchemaError) throw error;
    throw new ObsError(
      OBS_ERROR_CODES.SINK,
      `cannot prepare SQLite database "${path}" for obs: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

function withOpenRetry<T>(timeoutMs: number, fn: () => T): T {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return fn();
    } catch (error) {
      if (!isBusyError(error) || Date.now() >= deadline) throw error;
      sleepSync(busyBackoffMs(attempt));
    }
  }
}
