export {
  parseSqliteSinkOptions,
  type ResolvedSqliteSinkOptions,
  type SqliteSinkOptions,
  SqliteSinkOptionsSchema,
} from './options.js';
export { createSqliteSink, type SqliteSink } from './sqlite-sink.js';
