import { describe, expect, it } from 'vitest';
import { parseQueryParams, QUERY_PARAMS_SCHEMAS, type QueryParamsKind } from './query-params.js';
import {
  EventFilterSchema,
  EventQuerySchema,
  ExportQuerySchema,
  RunQuerySchema,
  SessionQuerySchema,
  StatsQuerySchema,
  TailOptionsSchema,
} from './query-schemas.js';
import type { EventQuery, RunQuery, SessionQuery, StatsQuery, TailOptions } from './read-store.js';
import { ReadStoreError } from './read-store-error.js';

function refusal(kind: QueryParamsKind, query: string): ReadStoreError {
  try {
    parseQueryParams(kind, query);
  } catch (error) {
    expect(error).toBeInstanceOf(ReadStoreError);
    expect((error as ReadStoreError).code).toBe('INVALID_FILTER');
    return error as ReadStoreError;
  }
  throw new Error(`expected ?${query} to be refused for ${kind}`);
}

/** The parameter names a kind takes, as its "unknown parameter" message lists them. */
function namesOf(kind: QueryParamsKind): string[] {
  const message = refusal(kind, 'no_such_param=1').issues.find((i) => i.path === 'no_such_param')!.message;
  const listed = /expected one of: (.*)$/.exec(message)?.[1];
  return listed === undefined ? [] : listed.split(', ').sort();
}

describe('URL query parameters parse to store inputs', () => {
  it('reads runs, sessions and stats queries, numbers and renamed names included', () => {
    const runs: RunQuery = parseQueryParams('runs', 'status=failure&limit=2&from=2026-01-02T03:04:05Z');
    expect(runs).toEqual({ status: 'failure', limit: 2, from: '2026-01-02T03:04:05Z' });
    const sessions: SessionQuery = parseQueryParams('sessions', new URLSearchParams({ search: 's-1' }));
    expect(sessions).toEqual({ search: 's-1' });
    const stats: StatsQuery = parseQueryParams('stats', 'group_by=model&slowest=3');
    expect(stats).toEqual({ groupBy: 'model', slowest: 3 });
  });

  it('reads `type` repeated and comma-separated as the store’s `types`, skipping empty items', () => {
    const events: EventQuery = parseQueryParams('events', 'type=llm.call&type=tool.call,,log&order=desc');
    expect(events).toEqual({ types: ['llm.call', 'tool.call', 'log'], order: 'desc' });
    expect(parseQueryParams('events', { type: ['a.b', 'c'], limit: '7' })).toEqual({
      types: ['a.b', 'c'],
      limit: 7,
    });
  });

  it('reads export and live-tail queries into the shape their store methods take', () => {
    expect(parseQueryParams('export', 'format=csv&run_id=r&type=log')).toEqual({
      format: 'csv',
      run_id: 'r',
      types: ['log'],
    });
    const tail: Omit<TailOptions, 'signal'> = parseQueryParams('tail', 'since=c1&status=error');
    expect(tail).toEqual({ filter: { status: 'error' }, since: 'c1' });
    expect(parseQueryParams('tail', '')).toEqual({ filter: {} });
    expect(parseQueryParams('children', 'children=0')).toEqual({ children: 0 });
    expect(parseQueryParams('none', '')).toEqual({});
  });

  it.each([
    '2026-01-02',
    '2024-02-29',
    '2026-01-02T03:04Z',
    '2026-01-02T03:04:05Z',
    '2026-01-02T23:59:59.999Z',
    '2026-01-02T03:04+05:30',
    '2026-01-02T03:04:05-08:00',
  ])('takes the real time %s as it is', (from) => {
    expect(parseQueryParams('events', { from })).toEqual({ from });
  });

  it('caps a large limit as the store does', () => {
    expect(parseQueryParams('events', 'limit=5000')).toEqual({ limit: 1000 });
    expect(parseQueryParams('stats', 'slowest=500')).toEqual({ slowest: 100 });
  });

  it('gives outputs the store’s own input schemas accept', () => {
    const full = 'run_id=r&session_id=s&type=a.b&status=ok&source=x&audit_level=turn&parent_event_id=p';
    const times = 'from=2026-01-02&to=2026-01-03T00:00:00.000Z&text=t';
    expect(
      EventQuerySchema.safeParse(parseQueryParams('events', `${full}&${times}&limit=3&order=asc`)).success,
    ).toBe(true);
    const { format: _format, ...exported } = parseQueryParams('export', `${full}&${times}&format=jsonl`);
    expect(ExportQuerySchema.safeParse(exported).success).toBe(true);
    expect(TailOptionsSchema.safeParse(parseQueryParams('tail', `${full}&since=c`)).success).toBe(true);
    expect(
      RunQuerySchema.safeParse(parseQueryParams('runs', `status=running&${times.replace('&text=t', '')}`))
        .success,
    ).toBe(true);
    expect(
      StatsQuerySchema.safeParse(parseQueryParams('stats', 'group_by=layer&slowest=2&source=x')).success,
    ).toBe(true);
  });

  it('takes exactly the fields the store inputs have (URL names for `types` and `groupBy`)', () => {
    const keys = (shape: object, renames: Record<string, string> = {}) =>
      Object.keys(shape)
        .map((k) => renames[k] ?? k)
        .sort();
    expect(namesOf('events')).toEqual(keys(EventQuerySchema.shape, { types: 'type' }));
    expect(namesOf('export')).toEqual(keys({ ...ExportQuerySchema.shape, format: 0 }, { types: 'type' }));
    expect(namesOf('tail')).toEqual(keys({ ...EventFilterSchema.shape, since: 0 }, { types: 'type' }));
    expect(namesOf('runs')).toEqual(keys(RunQuerySchema.shape));
    expect(namesOf('sessions')).toEqual(keys(SessionQuerySchema.shape));
    expect(namesOf('stats')).toEqual(keys(StatsQuerySchema.shape, { groupBy: 'group_by' }));
    expect(namesOf('none')).toEqual([]);
    expect(Object.keys(QUERY_PARAMS_SCHEMAS).sort()).toEqual(
      ['children', 'events', 'export', 'none', 'runs', 'sessions', 'stats', 'tail'].sort(),
    );
  });
});

describe('hostile URL queries are refused naming the parameter and what was expected', () => {
  it.each<[QueryParamsKind, string, string, string]>([
    ['runs', 'limit=0', 'limit', 'expected an integer of at least 1'],
    ['runs', 'limit=ten', 'limit', 'got "ten"'],
    ['runs', 'limit=1.5', 'limit', 'expected an integer'],
    ['runs', 'limit=-3', 'limit', 'got -3'],
    ['runs', 'limit=99999999999999999999', 'limit', 'expected an integer'],
    ['runs', 'limit=', 'limit', 'expected an integer'],
    [
      'runs',
      'status=done',
      'status',
      'expected one of running, success, failure, cancelled, timeout, got "done"',
    ],
    ['runs', 'colour=red', 'colour', 'unknown parameter; expected one of: status, source'],
    ['runs', 'limit=5&limit=6', 'limit', 'given more than once'],
    ['runs', 'source=', 'source', 'non-empty'],
    ['runs', `search=${'x'.repeat(300)}`, 'search', 'at most 256'],
    ['runs', '__proto__=a&__proto__=b', '__proto__', 'unknown parameter'],
    ['runs', 'constructor=1', 'constructor', 'unknown parameter'],
    ['events', 'from=yesterday', 'from', 'ISO 8601'],
    ['events', 'to=2026-02-30', 'to', 'not a real date'],
    ['events', 'from=2026-01-02T24:00Z', 'from', 'not a real date'],
    ['events', 'order=sideways', 'order', 'expected one of asc, desc'],
    ['events', 'type=', 'type', 'at least one event type'],
    ['events', 'type=ok,DROP%20TABLE', 'type.1', 'dotted lower-case name'],
    ['events', `type=${Array.from({ length: 101 }, (_, i) => `t${i}`).join(',')}`, 'type', 'at most 100'],
    ['events', 'status=maybe', 'status', 'expected one of ok, error'],
    ['events', 'audit_level=x', 'audit_level', 'expected one of turn, session, export'],
    ['events', `cursor=${'c'.repeat(3000)}`, 'cursor', 'cursor returned by a previous page'],
    ['stats', 'group_by=colour', 'group_by', 'expected one of source, event_type'],
    ['stats', 'groupBy=model', 'groupBy', 'unknown parameter'],
    ['export', 'run_id=x', 'format', 'required; expected one of jsonl, csv'],
    ['export', 'format=xml', 'format', 'got "xml"'],
    ['tail', 'since=', 'since', 'cursor'],
    ['children', 'children=1001', 'children', 'expected an integer from 0 to 1000'],
    ['none', 'limit=1', 'limit', 'unknown parameter; expected none'],
  ])('%s ?%s → %s', (kind, query, path, message) => {
    const error = refusal(kind, query);
    const issue = error.issues.find((i) => i.path === path);
    expect(issue?.message).toContain(message);
    expect(error.message).toContain(`${path}: `);
  });

  it('lists every failing parameter at once', () => {
    const error = refusal('runs', 'limit=0&status=x&colour=1&from=never');
    expect(error.issues.map((i) => i.path).sort()).toEqual(['colour', 'from', 'limit', 'status']);
  });
});
