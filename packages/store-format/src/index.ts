export {
  parseTrailFileName,
  sanitizeEventTypeFileName,
  type TrailFileName,
  trailFileName,
} from './jsonl/file-names.js';
export {
  compareFiles,
  type JsonlFile,
  type ListJsonlFilesOptions,
  listJsonlFiles,
} from './jsonl/list-files.js';
export {
  type JsonlCorruption,
  type JsonlCorruptReason,
  type JsonlCursor,
  type JsonlEntry,
  type JsonlReader,
  type JsonlReadReport,
  type ReadJsonlOptions,
  readJsonl,
  readJsonlEntries,
} from './jsonl/read-jsonl.js';
export {
  assertPostgresSchemaCurrent,
  migratePostgresSchema,
  type PostgresMigrationResult,
  readPostgresSchemaVersion,
} from './postgres/postgres-migrate.js';
export {
  POSTGRES_MIGRATIONS,
  POSTGRES_SCHEMA_VERSION,
  type PostgresMigration,
} from './postgres/postgres-migrations.js';
export {
  dropPostgresPartitionsBefore,
  ensurePostgresPartitions,
  listPostgresPartitions,
  type PostgresPartition,
  postgresPartitionFor,
  uuidv7Ms,
} from './postgres/postgres-partitions.js';
export type { PostgresQueryable } from './postgres/postgres-queryable.js';
export {
  checkPostgresSchemaName,
  DEFAULT_POSTGRES_SCHEMA,
  POSTGRES_SCHEMA_NAME_PATTERN,
  postgresEventsChannel,
} from './postgres/postgres-schema-name.js';
export { POSTGRES_EVENT_COLUMNS, POSTGRES_TABLES } from './postgres/postgres-tables.js';
export { isPostgresUrl, postgresPasswordRedactor, safePostgresUrl } from './postgres/postgres-url.js';
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
  RUN_STATUSES,
  type RunStatus,
  type RunSummaryState,
  runDurationMs,
  type SessionSummaryState,
  type SummaryCounters,
} from './rollup-rules.js';
export {
  assertSqliteSchemaCurrent,
  type MigrateSqliteSchemaOptions,
  type MigrationResult,
  migrateSqliteSchema,
  readSqliteSchemaVersion,
  type SqliteSchemaDatabase,
} from './sqlite/migrate.js';
export { SQLITE_MIGRATIONS, type SqliteMigration } from './sqlite/migrations.js';
export { SQLITE_SCHEMA_VERSION } from './sqlite/schema-version.js';
export {
  SqliteSchemaError,
  STORE_FORMAT_ERROR_CODES,
  type StoreFormatErrorCode,
} from './sqlite/sqlite-schema-error.js';
export {
  EVENT_COLUMNS,
  EVENT_INDEXES,
  EVENT_ROW_COLUMNS,
  SQLITE_TABLES,
  SUMMARY_COUNTER_COLUMNS,
} from './sqlite/sqlite-tables.js';
