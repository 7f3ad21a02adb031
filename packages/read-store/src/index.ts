export { CSV_COLUMNS, csvCell } from './export-format.js';
export { openJsonlReadStore } from './jsonl/jsonl-read-store.js';
export { type OpenReadStoreOptions, openReadStore } from './open-read-store.js';
export type { PostgresReadStoreOptions } from './postgres/postgres-connection.js';
export { openPostgresReadStore } from './postgres/postgres-read-store.js';
export {
  ChildrenQueryParamsSchema,
  EventQueryParamsSchema,
  ExportQueryParamsSchema,
  NoQueryParamsSchema,
  parseQueryParams,
  QUERY_PARAMS_SCHEMAS,
  type QueryParams,
  type QueryParamsInput,
  type QueryParamsKind,
  RunQueryParamsSchema,
  SessionQueryParamsSchema,
  StatsQueryParamsSchema,
  TailQueryParamsSchema,
} from './query-params.js';
export { MAX_PAGE_LIMIT, MAX_SLOWEST } from './query-schemas.js';
export type {
  EventQuery,
  ExportFormat,
  GroupStats,
  Page,
  ReadStore,
  RunQuery,
  RunStatus,
  RunSummary,
  SessionQuery,
  SessionSummary,
  Stats,
  StatsGroupBy,
  StatsQuery,
  StoredEvent,
  TailedEvent,
  TailOptions,
  TraceNode,
  TraceTree,
  UsageSummary,
} from './read-store.js';
export { READ_STORE_ERROR_CODES, ReadStoreError, type ReadStoreErrorCode } from './read-store-error.js';
export { type RenderTraceTreeOptions, renderTraceTree } from './render-trace-tree.js';
export { openSqliteReadStore } from './sqlite/sqlite-read-store.js';
export { buildTraceTree, MAX_TRACE_EVENTS } from './trace-tree.js';
