export {
  type ImportProgress,
  type ImportResult,
  type ImportTrailOptions,
  importCursorPath,
  importTrail,
} from './import-trail.js';
export {
  parseSqliteSinkOptions,
  type ResolvedSqliteSinkOptions,
  type SqliteSinkOptions,
  SqliteSinkOptionsSchema,
} from './options.js';
export {
  type PruneSqliteOptions,
  type PruneSqliteProgress,
  type PruneSqliteResult,
  pruneSqlite,
} from './prune-sqlite.js';
export { createSqliteSink, type SqliteSink } from './sqlite-sink.js';
