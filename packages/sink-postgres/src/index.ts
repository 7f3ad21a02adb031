export {
  type ImportPostgresProgress,
  type ImportPostgresResult,
  type ImportTrailPostgresOptions,
  importPositionPath,
  importTrailPostgres,
} from './import-trail-postgres.js';
export {
  type PostgresSinkOptions,
  PostgresSinkOptionsSchema,
  parsePostgresSinkOptions,
  type ResolvedPostgresSinkOptions,
} from './options.js';
export { createPostgresSink, type PostgresSink } from './postgres-sink.js';
export { type PrunePostgresOptions, type PrunePostgresResult, prunePostgres } from './prune-postgres.js';
