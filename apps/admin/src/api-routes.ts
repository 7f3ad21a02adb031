import type { EventQuery, ReadStore } from '@obs/read-store';
import {
  type EVENT_FILTER_PARAMS,
  EVENT_PARAMS,
  EVENTS_PARAMS,
  EXPORT_PARAMS,
  RUNS_PARAMS,
  SESSIONS_PARAMS,
  STATS_PARAMS,
} from './api-params.js';
import type { EventDetail, StoreInfo } from './api-types.js';
import { HttpError } from './http-error.js';
import { type ParsedParams, parseParams } from './query-params.js';
import { toTraceRows } from './trace-rows.js';

/** What an API route answers: a JSON body, or a stream of text chunks sent as a download. */
export type ApiResult =
  | { kind: 'json'; body: unknown }
  | { kind: 'stream'; contentType: string; fileName: string; chunks: AsyncIterable<string> };

const json = (body: unknown): ApiResult => ({ kind: 'json', body });
const DEFAULT_CHILDREN = 200;

/**
 * Answers a `GET /api/...` request from the read store. `segments` are the decoded path segments
 * after `/api`. Throws `HttpError` (or the store's `ReadStoreError`) for bad requests.
 */
export async function routeApi(
  store: ReadStore,
  segments: readonly string[],
  params: URLSearchParams,
  info: StoreInfo,
): Promise<ApiResult> {
  const [resource, id, sub, ...rest] = segments;
  const extra = rest.length > 0;
  switch (resource) {
    case 'info':
      if (id === undefined) return json(info);
      break;
    case 'runs':
      if (id === undefined) return json(await store.listRuns(parseParams(params, RUNS_PARAMS)));
      if (sub === undefined) return json(await store.getRun(noParams(params, id)));
      if (sub === 'tree' && !extra) return json(toTraceRows(await store.getTraceTree(noParams(params, id))));
      break;
    case 'sessions':
      if (id === undefined) return json(await store.listSessions(parseParams(params, SESSIONS_PARAMS)));
      if (sub === undefined) return json(await store.getSession(noParams(params, id)));
      break;
    case 'events':
      if (id === undefined) {
        const { type, ...rest } = parseParams(params, EVENTS_PARAMS);
        return json(await store.listEvents(withTypes(rest, type)));
      }
      if (sub === undefined) return json(await eventDetail(store, id, params));
      break;
    case 'stats':
      if (id === undefined) {
        const { group_by, ...rest } = parseParams(params, STATS_PARAMS);
        return json(await store.stats(group_by ? { ...rest, groupBy: group_by } : rest));
      }
      break;
    case 'export':
      if (id === undefined) return exportEvents(store, params);
      break;
  }
  throw new HttpError(404, 'NOT_FOUND', `no API route GET /api/${segments.join('/')}`);
}

/** Turns the `type` list parameter into the store's `types` filter. */
export function withTypes<T extends object>(
  rest: T,
  type: string[] | undefined,
): T & Pick<EventQuery, 'types'> {
  return type && type.length > 0 ? { ...rest, types: type } : rest;
}

/** Reads the event filters of a request (as the events list, export and live socket share them). */
export function eventFilter(
  params: ParsedParams<typeof EVENT_FILTER_PARAMS>,
): Omit<EventQuery, 'cursor' | 'limit'> {
  const { type, ...rest } = params;
  return withTypes(rest, type);
}

async function eventDetail(store: ReadStore, id: string, params: URLSearchParams): Promise<EventDetail> {
  const limit = parseParams(params, EVENT_PARAMS).children ?? DEFAULT_CHILDREN;
  const stored = await store.getEvent(id);
  const children = limit === 0 ? [] : await store.getChildren(id, limit + 1);
  return {
    event: stored.envelope,
    json: stored.json,
    children: children.slice(0, limit).map((c) => c.envelope),
    more_children: children.length > limit,
  };
}

function exportEvents(store: ReadStore, params: URLSearchParams): ApiResult {
  const { format, order, ...filters } = parseParams(params, EXPORT_PARAMS);
  if (!format) {
    throw new HttpError(400, 'INVALID_REQUEST', 'invalid query: format: required; expected jsonl or csv', [
      { param: 'format', message: 'required; expected jsonl or csv' },
    ]);
  }
  const query = order ? { ...eventFilter(filters), order } : eventFilter(filters);
  return {
    kind: 'stream',
    contentType: format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
    fileName: `obs-events.${format}`,
    chunks: store.exportEvents(query, format),
  };
}

function noParams(params: URLSearchParams, id: string): string {
  parseParams(params, {});
  return id;
}
