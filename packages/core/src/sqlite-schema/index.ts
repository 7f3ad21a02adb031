export {
  assertSqliteSchemaCurrent,
  type MigrateSqliteSchemaOptions,
  type MigrationResult,
  migrateSqliteSchema,
  readSqliteSchemaVersion,
  type SqliteSchemaDatabase,
} from './migrate.js';
export { SQLITE_MIGRATIONS, type SqliteMigration } from './migrations.js';
export { SQLITE_SCHEMA_VERSION } from './schema-version.js';
export { SqliteSchemaError } from './sqlite-schema-error.js';
export {
  EVENT_COLUMNS,
  EVENT_INDEXES,
  RUN_STATUSES,
  type RunStatus,
  SQLITE_TABLES,
  SUMMARY_COUNTER_COLUMNS,
} from './sqlite-tables.js';
