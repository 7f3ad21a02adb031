import { toError } from '@obs/core';
import { SQLITE_MIGRATIONS, type SqliteMigration } from './migrations.js';
import { SQLITE_SCHEMA_VERSION } from './schema-version.js';
import type { SqliteRollupDatabase } from './sqlite-rollups.js';
import { SqliteSchemaError, STORE_FORMAT_ERROR_CODES } from './sqlite-schema-error.js';

/**
 * The part of a SQLite connection the migration runner uses; a better-sqlite3 `Database` fits.
 * Kept structural so this package does not depend on a SQLite driver.
 */
export interface SqliteSchemaDatabase extends SqliteRollupDatabase {
  exec(sql: string): unknown;
  pragma(source: string, options: { simple: true }): unknown;
}

/** Options of {@link migrateSqliteSchema}; the defaults are this build's schema. */
export interface MigrateSqliteSchemaOptions {
  migrations?: readonly SqliteMigration[];
  targetVersion?: number;
}

/** What {@link migrateSqliteSchema} did. */
export interface MigrationResult {
  from: number;
  to: number;
  /** Versions applied, in order; empty when the file was already current. */
  applied: number[];
}

/** `PRAGMA user_version` of an open database. */
export function readSqliteSchemaVersion(db: SqliteSchemaDatabase): number {
  return Number(db.pragma('user_version', { simple: true }));
}

/**
 * Brings a database to the target version in one `BEGIN IMMEDIATE` transaction: all steps apply or
 * none. The version is re-read inside the transaction, so several processes opening one file at
 * once migrate it once. A file newer than the target throws {@link SqliteSchemaError}; a failing
 * step rolls back and throws it with the step's error as `cause` (a busy lock stays reachable there).
 */
export function migrateSqliteSchema(
  db: SqliteSchemaDatabase,
  options: MigrateSqliteSchemaOptions = {},
): MigrationResult {
  const migrations = options.migrations ?? SQLITE_MIGRATIONS;
  const target = options.targetVersion ?? SQLITE_SCHEMA_VERSION;
  const before = readSqliteSchemaVersion(db);
  assertNotNewer(before, target);
  if (before === target) return { from: before, to: target, applied: [] };
  db.exec('BEGIN IMMEDIATE');
  const applied: number[] = [];
  let from = before;
  try {
    from = readSqliteSchemaVersion(db);
    assertNotNewer(from, target);
    for (const step of migrations) {
      if (step.version <= from || step.version > target) continue;
      runStep(db, step);
      applied.push(step.version);
    }
    if (from + applied.length !== target) {
      throw new SqliteSchemaError(
        STORE_FORMAT_ERROR_CODES.SCHEMA_VERSION,
        `no migration path from schema version ${from} to ${target}`,
        from,
        target,
      );
    }
    db.exec('COMMIT');
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  }
  return { from, to: target, applied };
}

/**
 * Checks that a database is at exactly this build's version, for read-only opens that cannot
 * migrate. Throws {@link SqliteSchemaError} saying what to do otherwise.
 */
export function assertSqliteSchemaCurrent(db: SqliteSchemaDatabase): void {
  const found = readSqliteSchemaVersion(db);
  assertNotNewer(found, SQLITE_SCHEMA_VERSION);
  if (found === 0) {
    throw new SqliteSchemaError(
      STORE_FORMAT_ERROR_CODES.SCHEMA_VERSION,
      'the database has no obs schema (user_version 0); create it by opening it with @obs/sink-sqlite',
      found,
      SQLITE_SCHEMA_VERSION,
    );
  }
  if (found < SQLITE_SCHEMA_VERSION) {
    throw new SqliteSchemaError(
      STORE_FORMAT_ERROR_CODES.SCHEMA_VERSION,
      `the database is at obs schema version ${found}, expected ${SQLITE_SCHEMA_VERSION}; ` +
        'open it once with @obs/sink-sqlite (a writer) to migrate it',
      found,
      SQLITE_SCHEMA_VERSION,
    );
  }
}

function runStep(db: SqliteSchemaDatabase, step: SqliteMigration): void {
  try {
    db.exec(step.up);
    step.build?.(db);
    db.exec(`PRAGMA user_version = ${step.version}`);
  } catch (error) {
    const cause = toError(error);
    throw new SqliteSchemaError(
      STORE_FORMAT_ERROR_CODES.MIGRATION_FAILED,
      `migration to schema version ${step.version} (${step.description}) failed: ${cause.message}`,
      step.version - 1,
      step.version,
      { cause },
    );
  }
}

function assertNotNewer(found: number, supported: number): void {
  if (found > supported) {
    throw new SqliteSchemaError(
      STORE_FORMAT_ERROR_CODES.SCHEMA_VERSION,
      `the database is at obs schema version ${found}, newer than the ${supported} this build supports; ` +
        'upgrade @obs/sink-sqlite / @obs/read-store to open it',
      found,
      supported,
    );
  }
}
