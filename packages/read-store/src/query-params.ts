import type { ValidationIssue } from '@obs/core';
import { z } from 'zod';
import {
  auditLevelRule,
  childCountRule,
  cursorRule,
  eventStatusRule,
  exportFormatRule,
  groupByRule,
  idRule,
  limitRule,
  MAX_SLOWEST,
  nameRule,
  orderRule,
  runStatusRule,
  searchRule,
  timeTextRule,
  typesRule,
} from './query-schemas.js';
import { ReadStoreError } from './read-store-error.js';

/**
 * A URL query: `URLSearchParams`, its text (`a=1&b=2`), or an object of its values where a
 * parameter given more than once is a list.
 */
export type QueryParamsInput =
  | URLSearchParams
  | string
  | Readonly<Record<string, string | readonly string[] | undefined>>;

const ONCE = 'given more than once; expected a single value';
const INTEGER = /^-?\d+$/;

/** A parameter given at most once (a repeated one is a list, refused here). */
const once = z.custom<string>((value) => !Array.isArray(value), { error: ONCE });

/** A text parameter checked by `rule`. */
const one = <T extends z.ZodType<unknown, string>>(rule: T) => once.pipe(rule);

/**
 * A number parameter checked by `rule`: whole-number text becomes a number, anything else is left
 * as it is for `rule` to refuse (so its message says what was expected and what came).
 */
const integer = <T extends z.ZodType>(rule: T) =>
  once.pipe(
    z.preprocess((text) => (typeof text === 'string' && INTEGER.test(text) ? Number(text) : text), rule),
  );

/** A list parameter: repeated (`type=a&type=b`) and/or comma-separated (`type=a,b`); empty items are skipped. */
const list = <T extends z.ZodType<unknown, string[]>>(rule: T) =>
  z
    .union([z.string(), z.array(z.string())])
    .transform((value) =>
      (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(',')).filter(Boolean),
    )
    .pipe(rule);

/** The parameters of one query: any other one is refused, naming those it takes. */
function params<S extends z.core.$ZodLooseShape>(shape: S) {
  const names = Object.keys(shape);
  const unknown =
    names.length > 0
      ? `unknown parameter; expected one of: ${names.join(', ')}`
      : 'unknown parameter; expected none';
  const object = z.strictObject(shape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? unknown : undefined),
  });
  return z.preprocess(queryRecord, object);
}

/** `URLSearchParams` (or query text) as an object: a parameter given once is its text, else the list. */
function queryRecord(input: unknown): unknown {
  const search =
    typeof input === 'string' ? new URLSearchParams(input) : input instanceof URLSearchParams ? input : null;
  if (search === null) return input;
  const record: Record<string, string | string[]> = Object.create(null);
  for (const key of new Set(search.keys())) {
    const all = search.getAll(key);
    record[key] = all.length === 1 ? all[0]! : all;
  }
  return record;
}

const eventFilterParams = {
  run_id: one(idRule).optional(),
  session_id: one(idRule).optional(),
  /** The store's `types`. */
  type: list(typesRule).optional(),
  status: one(eventStatusRule).optional(),
  source: one(nameRule).optional(),
  audit_level: one(auditLevelRule).optional(),
  parent_event_id: one(idRule).optional(),
  from: one(timeTextRule).optional(),
  to: one(timeTextRule).optional(),
  text: one(searchRule).optional(),
};

/** `type` (the URL's name, as in `?type=llm.call`) becomes the store's `types`. */
function withTypes<T extends { type?: string[] | undefined }>({
  type,
  ...rest
}: T): Omit<T, 'type'> & { types?: string[] } {
  return type === undefined ? rest : { ...rest, types: type };
}

/** `GET …/runs` query parameters, parsed to a `listRuns` query. */
export const RunQueryParamsSchema = params({
  status: one(runStatusRule).optional(),
  source: one(nameRule).optional(),
  session_id: one(idRule).optional(),
  search: one(searchRule).optional(),
  from: one(timeTextRule).optional(),
  to: one(timeTextRule).optional(),
  cursor: one(cursorRule).optional(),
  limit: integer(limitRule(50)).optional(),
});

/** `GET …/sessions` query parameters, parsed to a `listSessions` query. */
export const SessionQueryParamsSchema = params({
  search: one(searchRule).optional(),
  from: one(timeTextRule).optional(),
  to: one(timeTextRule).optional(),
  cursor: one(cursorRule).optional(),
  limit: integer(limitRule(50)).optional(),
});

/** `GET …/events` query parameters (`type` repeatable or comma-separated), parsed to a `listEvents` query. */
export const EventQueryParamsSchema = params({
  ...eventFilterParams,
  cursor: one(cursorRule).optional(),
  limit: integer(limitRule(100)).optional(),
  order: one(orderRule).optional(),
}).transform(withTypes);

/** Export query parameters: the event filters, `order` and a required `format`. */
export const ExportQueryParamsSchema = params({
  ...eventFilterParams,
  order: one(orderRule).optional(),
  format: one(exportFormatRule),
}).transform(withTypes);

/** Live-tail query parameters: the event filters and `since` (a cursor), parsed to `tail` options. */
export const TailQueryParamsSchema = params({
  ...eventFilterParams,
  since: one(cursorRule).optional(),
}).transform(({ since, ...filter }) =>
  since === undefined ? { filter: withTypes(filter) } : { filter: withTypes(filter), since },
);

/** `GET …/stats` query parameters (`group_by` for the store's `groupBy`), parsed to a `stats` query. */
export const StatsQueryParamsSchema = params({
  run_id: one(idRule).optional(),
  session_id: one(idRule).optional(),
  source: one(nameRule).optional(),
  from: one(timeTextRule).optional(),
  to: one(timeTextRule).optional(),
  group_by: one(groupByRule).optional(),
  slowest: integer(limitRule(10, MAX_SLOWEST)).optional(),
}).transform(({ group_by, ...rest }) => (group_by === undefined ? rest : { ...rest, groupBy: group_by }));

/** Query parameters of one event: `children`, how many direct children to list with it (0 to 1000). */
export const ChildrenQueryParamsSchema = params({ children: integer(childCountRule).optional() });

/** No query parameters at all (a single run, session or tree). */
export const NoQueryParamsSchema = params({});

/** The query parameter schemas by kind of request, for {@link parseQueryParams}. */
export const QUERY_PARAMS_SCHEMAS = {
  runs: RunQueryParamsSchema,
  sessions: SessionQueryParamsSchema,
  events: EventQueryParamsSchema,
  export: ExportQueryParamsSchema,
  tail: TailQueryParamsSchema,
  stats: StatsQueryParamsSchema,
  children: ChildrenQueryParamsSchema,
  none: NoQueryParamsSchema,
} as const;

/** A kind of request whose URL query {@link parseQueryParams} reads. */
export type QueryParamsKind = keyof typeof QUERY_PARAMS_SCHEMAS;

/** What {@link parseQueryParams} returns for a kind: the store method's input. */
export type QueryParams<K extends QueryParamsKind> = z.output<(typeof QUERY_PARAMS_SCHEMAS)[K]>;

/**
 * Parses a URL query for a kind of request into the matching `ReadStore` input, with the rules the
 * store checks its inputs with. Throws `ReadStoreError` `INVALID_FILTER` whose `issues` name each
 * failing parameter (`path`: an unknown or repeated one, a bad value; `type.2` for an item of a
 * list) and what was expected there.
 */
export function parseQueryParams<K extends QueryParamsKind>(
  kind: K,
  query: QueryParamsInput,
): QueryParams<K> {
  const schema: z.ZodType = QUERY_PARAMS_SCHEMAS[kind];
  const parsed = schema.safeParse(query);
  if (parsed.success) return parsed.data as QueryParams<K>;
  const issues = queryIssues(parsed.error.issues);
  const detail = issues.map((i) => `${i.path || '(query)'}: ${i.message}`).join('; ');
  throw new ReadStoreError('INVALID_FILTER', `invalid query: ${detail}`, { issues });
}

/** Zod issues of a query schema as one issue per parameter (an unknown parameter is named as the path). */
export function queryIssues(issues: readonly z.core.$ZodIssue[]): ValidationIssue[] {
  return issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys' && issue.path.length === 0
      ? issue.keys.map((key) => ({ path: key, message: issue.message }))
      : [{ path: issue.path.map(String).join('.'), message: issue.message }],
  );
}
