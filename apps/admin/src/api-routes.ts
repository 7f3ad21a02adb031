import { parseQueryParams, type ReadStore } from '@obs/read-store';
import type { EventDetail, StoreInfo } from './api-types.js';
import { HttpError } from './http-error.js';
import { toTraceRows } from './trace-rows.js';

/** What an API route answers: a JSON body, or a stream of text chunks sent as a download. */
export type ApiResult =
  | { kind: 'json'; body: unknown }
  | { kind: 'stream'; contentType: string; fileName: string; chunks: AsyncIterable<string> };

const json = (body: unknown): ApiResult => ({ kind: 'json', body });
const DEFAULT_CHILDREN = 200;

/**
 * Answers a `GET /api/...` request from the read store. `segments` are the decoded path segments
 * after `/api`. Query parameters are parsed by `@obs/read-store`'s `parseQueryParams`, with the
 * rules the store checks its inputs with. Throws `HttpError`, or the store's `ReadStoreError` (a bad
 * parameter is `INVALID_FILTER` naming it), for bad requests.
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
      if (id === undefined) return json(await store.listRuns(parseQueryParams('runs', params)));
      if (sub === undefined) return json(await store.getRun(noParams(params, id)));
      if (sub === 'tree' && !extra) return json(toTraceRows(await store.getTraceTree(noParams(params, id))));
      break;
    case 'sessions':
      if (id === undefined) return json(await store.listSessions(parseQueryParams('sessions', params)));
      if (sub === undefined) return json(await store.getSession(noParams(params, id)));
      break;
    case 'events':
      if (id === undefined) return json(await store.listEvents(parseQueryParams('events', params)));
      if (sub === undefined) return json(await eventDetail(store, id, params));
      break;
    case 'stats':
      if (id === undefined) return json(await store.stats(parseQueryParams('stats', params)));
      break;
    case 'export':
      if (id === undefined) return exportEvents(store, params);
      break;
  }
  throw new HttpError(404, 'NOT_FOUND', `no API route GET /api/${segments.join('/')}`);
}

async function eventDetail(store: ReadStore, id: string, params: URLSearchParams): Promise<EventDetail> {
  const limit = parseQueryParams('children', params).children ?? DEFAULT_CHILDREN;
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
  const { format, ...query } = parseQueryParams('export', params);
  return {
    kind: 'stream',
    contentType: format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
    fileName: `obs-events.${format}`,
    chunks: store.exportEvents(query, format),
  };
}

function noParams(params: URLSearchParams, id: string): string {
  parseQueryParams('none', params);
  return id;
}
