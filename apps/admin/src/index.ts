export { type AdminServer, type AdminServerOptions, createAdminServer } from './admin-server.js';
export type {
  ApiErrorBody,
  ApiErrorIssue,
  EventDetail,
  EventEnvelope,
  LiveMessage,
  StoreInfo,
  TraceColumns,
  TraceRow,
  TraceRows,
} from './api-types.js';
export { AdminConfigError, HttpError, type RequestIssue } from './http-error.js';
export { SECURITY_HEADERS } from './security.js';
export { toTraceRows } from './trace-rows.js';
