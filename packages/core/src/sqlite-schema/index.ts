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
  EVENT_ROW_COLUMNS,
  RUN_STATUSES,
  type RunStatus,
  SQLITE_TABLES,
  SUMMARY_COUNTER_COLUMNS,
} from './sqlite-tables.js';
export {
  applyToRunSummary,
  applyToSessionSummary,
  applyToSummary,
  emptyRunSummary,
  emptySessionSummary,
  emptySummaryCounters,
  isErrorEvent,
  type LlmUsage,
  llmUsage,
  type RunSummaryState,
  runDurationMs,
  type SessionSummaryState,
  type SummaryCounters,
} from './summary-rules.js';
