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
  allocColumn,
  decodeTrailIndex,
  encodeTrailIndex,
  peekTrailIndexRows,
  readTrailIndex,
  TRAIL_INDEX_COLUMNS,
  TRAIL_INDEX_SUFFIX,
  type TrailIndexColumn,
  type TrailIndexColumnKind,
  type TrailIndexColumnName,
  type TrailIndexColumns,
  type TrailIndexData,
  writeTrailIndex,
} from './jsonl/trail-index.js';
export { type FileIdentity, fileIdentity } from './jsonl/trail-index-identity.js';
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
