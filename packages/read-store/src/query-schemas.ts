import { AUDIT_LEVELS, EVENT_STATUSES, EventTypeNameSchema } from '@obs/core';
import { RUN_STATUSES } from '@obs/store-format';
import { z } from 'zod';
import { invalidFilter, ReadStoreError } from './read-store-error.js';

/** Most items one page (or `getChildren`) returns; larger limits are capped to it. */
export const MAX_PAGE_LIMIT = 1000;
/** Most rows of `stats().slowest`. */
export const MAX_SLOWEST = 100;

/** Date, then optionally time and zone: `YYYY-MM-DD[THH:MM[:SS[.mmm]](Z|±HH:MM)]`. */
const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?(?:Z|[+-](\d{2}):(\d{2})))?$/;

/**
 * An error map saying what was expected, and what was given when it is short enough to show
 * (`required; …` when nothing was).
 */
function expecting(what: string) {
  return (issue: { input?: unknown }): string =>
    issue.input === undefined ? `required; expected ${what}` : `expected ${what}${given(issue.input)}`;
}

function given(input: unknown): string {
  if (typeof input === 'string')
    return `, got ${JSON.stringify(input.length > 40 ? `${input.slice(0, 40)}…` : input)}`;
  if (typeof input === 'number' || typeof input === 'boolean') return `, got ${input}`;
  return `, got ${Array.isArray(input) ? 'a list' : input === null ? 'null' : typeof input}`;
}

const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: expecting(`one of ${values.join(', ')}`) });

/*
 * The rules of every filter and option, defined once: the inputs of `ReadStore` methods are
 * checked with them (below), and so are URL query parameters (`query-params.ts`).
 */
/** A run, session or event id. */
export const idRule = z
  .string()
  .min(1, 'expected a non-empty id')
  .max(256, 'expected at most 256 characters');
/** A source name. */
export const nameRule = z
  .string()
  .min(1, 'expected a non-empty name')
  .max(256, 'expected at most 256 characters');
/** A search text. */
export const searchRule = z
  .string()
  .min(1, 'expected a non-empty search text')
  .max(256, 'expected at most 256 characters');
/** A cursor from a previous page (checked further when decoded). */
export const cursorRule = z
  .string()
  .min(1, 'expected a cursor returned by a previous page')
  .max(2048, 'expected a cursor returned by a previous page');
/** An ISO 8601 date or time that exists (no February 30th, no hour 25), kept as text. */
export const timeTextRule = z
  .string()
  .regex(ISO, {
    message: 'expected an ISO 8601 date or UTC/offset time, like 2026-01-02T03:04:05.678Z',
    abort: true,
  })
  .refine(isRealTime, { error: (issue) => `${JSON.stringify(issue.input)} is not a real date` });

/** The date exists (no February 30th) and the time and zone are in range (no hour 24). */
function isRealTime(text: string): boolean {
  const [, y, m, d, hh = 0, mm = 0, ss = 0, zh = 0, zm = 0] = (ISO.exec(text) ?? []).map((part) =>
    part === undefined ? undefined : Number(part),
  );
  const day = new Date(0);
  day.setUTCFullYear(y!, m! - 1, d!);
  return (
    day.getUTCFullYear() === y &&
    day.getUTCMonth() === m! - 1 &&
    day.getUTCDate() === d &&
    hh < 24 &&
    mm < 60 &&
    ss < 60 &&
    zh < 24 &&
    zm < 60
  );
}

/** An ISO 8601 date or time, parsed to epoch milliseconds. */
const time = timeTextRule.transform((text) => Date.parse(text));
/** A page size from 1; larger than `max` is capped to it. */
export const limitRule = (fallback: number, max = MAX_PAGE_LIMIT) => {
  const expected = expecting(`an integer of at least 1 (more than ${max} is capped to ${max})`);
  return z
    .number({ error: expected })
    .int()
    .min(1)
    .default(fallback)
    .transform((n) => Math.min(n, max));
};
/** How many direct children to list with an event: 0 (none) to {@link MAX_PAGE_LIMIT}. */
export const childCountRule = z
  .number({ error: expecting(`an integer from 0 to ${MAX_PAGE_LIMIT}`) })
  .int()
  .min(0)
  .max(MAX_PAGE_LIMIT);
/** Exact event types. */
export const typesRule = z
  .array(EventTypeNameSchema)
  .min(1, 'expected at least one event type')
  .max(100, 'expected at most 100 event types');
export const eventStatusRule = oneOf(EVENT_STATUSES);
export const auditLevelRule = oneOf(AUDIT_LEVELS);
export const runStatusRule = oneOf(RUN_STATUSES);
export const orderRule = oneOf(['asc', 'desc']);
export const groupByRule = oneOf(['source', 'event_type', 'operation', 'layer', 'component', 'model']);
export const exportFormatRule = oneOf(['jsonl', 'csv']);

const eventFilterShape = {
  run_id: idRule.optional(),
  session_id: idRule.optional(),
  types: typesRule.optional(),
  status: eventStatusRule.optional(),
  source: nameRule.optional(),
  audit_level: auditLevelRule.optional(),
  parent_event_id: idRule.optional(),
  from: time.optional(),
  to: time.optional(),
  text: searchRule.optional(),
};

/** The filters of an event query (no paging). */
export const EventFilterSchema = z.strictObject(eventFilterShape);
/** A parsed event filter: times are epoch milliseconds. */
export type EventFilter = z.output<typeof EventFilterSchema>;

/** `listEvents` input. */
export const EventQuerySchema = z.strictObject({
  ...eventFilterShape,
  cursor: cursorRule.optional(),
  limit: limitRule(100),
  order: orderRule.default('asc'),
});
/** A parsed `listEvents` query. */
export type ParsedEventQuery = z.output<typeof EventQuerySchema>;

/** `exportEvents` query: an event query without paging. */
export const ExportQuerySchema = z.strictObject({
  ...eventFilterShape,
  order: orderRule.default('asc'),
});

/** `listRuns` input. */
export const RunQuerySchema = z.strictObject({
  status: runStatusRule.optional(),
  source: nameRule.optional(),
  session_id: idRule.optional(),
  search: searchRule.optional(),
  from: time.optional(),
  to: time.optional(),
  cursor: cursorRule.optional(),
  limit: limitRule(50),
});
/** A parsed `listRuns` query. */
export type ParsedRunQuery = z.output<typeof RunQuerySchema>;

/** `listSessions` input. */
export const SessionQuerySchema = z.strictObject({
  search: searchRule.optional(),
  from: time.optional(),
  to: time.optional(),
  cursor: cursorRule.optional(),
  limit: limitRule(50),
});
/** A parsed `listSessions` query. */
export type ParsedSessionQuery = z.output<typeof SessionQuerySchema>;

/** `stats` input. */
export const StatsQuerySchema = z.strictObject({
  run_id: idRule.optional(),
  session_id: idRule.optional(),
  source: nameRule.optional(),
  from: time.optional(),
  to: time.optional(),
  groupBy: groupByRule.optional(),
  slowest: limitRule(10, MAX_SLOWEST),
});
/** A parsed `stats` query. */
export type ParsedStatsQuery = z.output<typeof StatsQuerySchema>;

/** `tail` options. */
export const TailOptionsSchema = z.strictObject({
  filter: EventFilterSchema.default({}),
  since: cursorRule.optional(),
  intervalMs: z.number().int().min(5, 'expected at least 5 ms').max(10_000).default(25),
  signal: z.instanceof(AbortSignal, { message: 'expected an AbortSignal' }).optional(),
});
/** Parsed `tail` options. */
export type ParsedTailOptions = z.output<typeof TailOptionsSchema>;

/** `exportEvents` format. */
export const ExportFormatSchema = exportFormatRule;
/** `getChildren` limit. */
export const ChildrenLimitSchema = limitRule(100);
/** A run, session or event id argument. */
export const IdSchema = idRule;

/**
 * Parses `input` with `schema`, or throws `ReadStoreError` `INVALID_FILTER` listing every failing
 * path and what was expected.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, subject: string): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
  if (issues.length === 1)
    throw invalidFilter(`${subject}${issues[0]!.path ? `.${issues[0]!.path}` : ''}`, issues[0]!.message);
  const detail = issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ');
  throw new ReadStoreError('INVALID_FILTER', `invalid ${subject}: ${detail}`, { issues });
}
