import { toError } from '@obs/core';
import { SqliteSchemaError as SchemaError, STORE_FORMAT_ERROR_CODES } from '../sqlite/sqlite-schema-error.js';
import {
  POSTGRES_MIGRATIONS,
  POSTGRES_SCHEMA_VERSION,
  type PostgresMigration,
} from './postgres-migrations.js';
import type { PostgresQueryable } from './postgres-queryable.js';
import { checkPostgresSchemaName } from './postgres-schema-name.js';

/** What {@link migratePostgresSchema} did. */
export interface PostgresMigrationResult {
  from: number;
  to: number;
  applied: number[];
}

/** The obs schema version of `schema` (0 when it has none yet). */
export async function readPostgresSchemaVersion(db: PostgresQueryable, schema: string): Promise<number> {
  const { rows } = await db.query(`SELECT to_regclass($1) IS NOT NULL AS present`, [
    `${checkPostgresSchemaName(schema)}.obs_schema_version`,
  ]);
  if (rows[0]?.['present'] !== true) return 0;
  const version = await db.query(`SELECT max(version) AS v FROM ${schema}.obs_schema_version`);
  return Number(version.rows[0]?.['v'] ?? 0);
}

/**
 * Creates `schema` if needed and brings it to this build's version in one transaction, under an
 * advisory lock: writers on many hosts starting at once migrate it once. `db` must be one
 * connection (a pool would spread the transaction). A schema newer than this build, or a failing
 * step (rolled back, `cause` kept), throws `SqliteSchemaError` with `OBS_SCHEMA_VERSION` /
 * `OBS_MIGRATION_FAILED`.
 */
export async function migratePostgresSchema(
  db: PostgresQueryable,
  schema: string,
  migrations: readonly PostgresMigration[] = POSTGRES_MIGRATIONS,
): Promise<PostgresMigrationResult> {
  checkPostgresSchemaName(schema);
  const target = migrations.at(-1)?.version ?? 0;
  const before = await readPostgresSchemaVersion(db, schema);
  assertNotNewer(before, target);
  if (before === target) return { from: before, to: target, applied: [] };
  await db.query('BEGIN');
  try {
    await db.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${schema}.obs_migrate`]);
    await db.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await db.query(`SET LOCAL search_path TO ${schema}`);
    await db.query(
      'CREATE TABLE IF NOT EXISTS obs_schema_version (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const from = await readPostgresSchemaVersion(db, schema);
    assertNotNewer(from, target);
    const applied: number[] = [];
    for (const step of migrations) {
      if (step.version <= from) continue;
      await runStep(db, step);
      applied.push(step.version);
    }
    await db.query('COMMIT');
    return { from, to: target, applied };
  } catch (error) {
    await db.query('ROLLBACK').catch(() => {});
    throw error;
  }
}

/**
 * Checks that `schema` is at exactly this build's version, for readers that never migrate; throws
 * `SqliteSchemaError` `OBS_SCHEMA_VERSION` saying what to do otherwise.
 */
export async function assertPostgresSchemaCurrent(db: PostgresQueryable, schema: string): Promise<void> {
  const found = await readPostgresSchemaVersion(db, schema);
  assertNotNewer(found, POSTGRES_SCHEMA_VERSION);
  if (found < POSTGRES_SCHEMA_VERSION) {
    throw new SchemaError(
      STORE_FORMAT_ERROR_CODES.SCHEMA_VERSION,
      found === 0
        ? `the PostgreSQL schema "${schema}" has no obs tables; create them by writing with @obs/sink-postgres`
        : `the PostgreSQL schema "${schema}" is at obs version ${found}, expected ${POSTGRES_SCHEMA_VERSION}; ` +
            'start a writer (@obs/sink-postgres) once to migrate it',
      found,
      POSTGRES_SCHEMA_VERSION,
    );
  }
}

async function runStep(db: PostgresQueryable, step: PostgresMigration): Promise<void> {
  try {
    await db.query(step.up);
    await db.query('INSERT INTO obs_schema_version (version) VALUES ($1)', [step.version]);
  } catch (error) {
    const cause = toError(error);
    throw new SchemaError(
      STORE_FORMAT_ERROR_CODES.MIGRATION_FAILED,
      `PostgreSQL migration to obs schema version ${step.version} (${step.description}) failed: ${cause.message}`,
      step.version - 1,
      step.version,
      { cause },
    );
  }
}

function assertNotNewer(found: number, supported: number): void {
  if (found > supported) {
    throw new SchemaError(
      STORE_FORMAT_ERROR_CODES.SCHEMA_VERSION,
      `the PostgreSQL schema is at obs version ${found}, newer than the ${supported} this build supports; ` +
        'upgrade @obs/sink-postgres / @obs/read-store',
      found,
      supported,
    );
  }
}
