import type { ParamSpec } from './query-params.js';

const text = { kind: 'text' } as const;
const id = { kind: 'text', max: 256 } as const;
const time = { kind: 'time' } as const;
const cursor = { kind: 'text', max: 4096 } as const;
const limit = { kind: 'int', min: 1, max: 1000 } as const;

/** Run statuses a runs list can filter on. */
export const RUN_STATUSES = ['running', 'success', 'failure', 'cancelled', 'timeout'] as const;

/** Query parameters of `GET /api/runs`. */
export const RUNS_PARAMS = {
  status: { kind: 'enum', values: RUN_STATUSES },
  source: id,
  session_id: id,
  search: text,
  from: time,
  to: time,
  cursor,
  limit,
} as const satisfies Record<string, ParamSpec>;

/** Query parameters of `GET /api/sessions`. */
export const SESSIONS_PARAMS = {
  search: text,
  from: time,
  to: time,
  cursor,
  limit,
} as const satisfies Record<string, ParamSpec>;

/** Event filters shared by the events list, the export and the live socket. */
export const EVENT_FILTER_PARAMS = {
  run_id: id,
  session_id: id,
  type: { kind: 'list', max: 100 },
  status: { kind: 'enum', values: ['ok', 'error'] },
  source: id,
  audit_level: { kind: 'enum', values: ['turn', 'session', 'export'] },
  parent_event_id: id,
  from: time,
  to: time,
  text,
} as const satisfies Record<string, ParamSpec>;

const order = { kind: 'enum', values: ['asc', 'desc'] } as const;

/** Query parameters of `GET /api/events`. */
export const EVENTS_PARAMS = { ...EVENT_FILTER_PARAMS, cursor, limit, order } as const satisfies Record<
  string,
  ParamSpec
>;

/** Query parameters of `GET /api/export`. */
export const EXPORT_PARAMS = {
  ...EVENT_FILTER_PARAMS,
  order,
  format: { kind: 'enum', values: ['jsonl', 'csv'] },
} as const satisfies Record<string, ParamSpec>;

/** Query parameters of the `/api/live` WebSocket: filters, and `since` to resume after a cursor. */
export const LIVE_PARAMS = { ...EVENT_FILTER_PARAMS, since: cursor } as const satisfies Record<
  string,
  ParamSpec
>;

/** Query parameters of `GET /api/stats`. */
export const STATS_PARAMS = {
  run_id: id,
  session_id: id,
  source: id,
  from: time,
  to: time,
  group_by: { kind: 'enum', values: ['source', 'event_type', 'operation', 'layer', 'component', 'model'] },
  slowest: { kind: 'int', min: 1, max: 100 },
} as const satisfies Record<string, ParamSpec>;

/** Query parameters of `GET /api/events/:id` (how many children to list). */
export const EVENT_PARAMS = { children: { kind: 'int', min: 0, max: 1000 } } as const satisfies Record<
  string,
  ParamSpec
>;
