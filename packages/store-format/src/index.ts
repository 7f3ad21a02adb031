export {
  eventFactsTransfer,
  type FactEvent,
  type PackedEventFacts,
  packEventFacts,
  unpackEventFacts,
} from './event-facts.js';
export {
  type ChainAlgorithm,
  type ChainKey,
  type ChainLineProblem,
  type ChainRecord,
  chainFileName,
  chainKey,
  formatChainRecord,
  MIN_AUDIT_KEY_BYTES,
  type OpenRecord,
  type ParsedChainLine,
  type PruneRecord,
  parseChainRecord,
  pruneLedgerName,
  type ReopenRecord,
  type SealRecord,
  type SignedRecord,
} from './jsonl/chain/chain-record.js';
export { type ChainFileContent, lastChainRecord, readChainFile } from './jsonl/chain/read-chain.js';
export { lineCrc, SegmentDigest, type SegmentSummary } from './jsonl/chain/segment-digest.js';
export {
  problemPlace,
  type TrailProblem,
  type TrailProblemKind,
  type TrailVerification,
  type VerifyTrailOptions,
  verifyTrail,
} from './jsonl/chain/verify-trail.js';
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
  type ImportTrailIntoOptions,
  importTrailInto,
  readTrailImportPosition,
  type TrailImportProgress,
  type TrailImportResult,
  type TrailImportSink,
  writeTrailImportPosition,
} from './jsonl/trail-import.js';
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
export { TrailIndexBuilder, type TrailIndexRows } from './jsonl/trail-index-builder.js';
export { type FileIdentity, fileIdentity } from './jsonl/trail-index-identity.js';
export { isIndexUuid, setTrailIndexRow, uuidBytes } from './jsonl/trail-index-row.js';
export { importTrailInThread } from './jsonl/trail-read-thread.js';
export type { TrailImportJob } from './jsonl/trail-read-worker.js';
export { LATENCY_SKETCH_RELATIVE_ACCURACY, LatencySketch } from './latency-sketch.js';
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
export { POSTGRES_EVENT_COLUMNS, POSTGRES_TABLES, postgresEventValues } from './postgres/postgres-tables.js';
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
export { SketchFormatError } from './sketch-format-error.js';
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
  rebuildSqliteRollups,
  SKETCH_MERGE_FUNCTION,
  type SqliteRollupDatabase,
  type SqliteRollupStatement,
  SqliteRollupWriter,
  STATS_ROLLUP_DDL,
} from './sqlite/sqlite-rollups.js';
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
export {
  coarsenRollups,
  dimensionsOf,
  emptyRollup,
  foldIntoRollups,
  mergeRollup,
  ROLLUP_BUCKET_MS,
  ROLLUP_TIERS_MS,
  type RollupDeltaMap,
  type RollupDimensions,
  type RollupMeasures,
  rollupBucket,
  rollupDimensions,
  rollupDimensionsKey,
  rollupKey,
  rollupModel,
  rollupOperation,
  rollupsOf,
  type StatsRollup,
  spanOperation,
} from './stats-rollup.js';
