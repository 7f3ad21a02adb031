import { AUDIT_LEVELS, EVENT_STATUSES, EventTypeNameSchema } from '@obs/core';
import { RUN_STATUSES } from '@obs/store-format';
import { z } from 'zod';
import { invalidFilter, ReadStoreError } from './read-store-error.js';

/** Most items one page (or `getChildren`) returns; larger limits are capped to it. */
export const MAX_PAGE_LIMIT = 1000;
/** Most rows of `stats().slowest`. */
export const MAX_SLOWEST = 100;

const ISO = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/;
const id = z.string().min(1, 'expected a non-empty id').max(256, 'expected at most 256 characters');
const name = z.string().min(1, 'expected a non-empty name').max(256, 'expected at most 256 characters');
const search = z
  .string()
  .min(1, 'expected a non-empty search text')
  .max(256, 'expected at most 256 characters');
const cursor = z.string().min(1).max(2048, 'expected a cursor returned by a previous page');
const time = z
  .string()
  .regex(ISO, 'expected an ISO 8601 date or UTC/offset time, like 2026-01-02T03:04:05.678Z')
  .transform((text, ctx) => {
    const ms = Date.parse(text);
    if (Number.isNaN(ms)) {
      ctx.addIssue({ code: 'custom', message: `"${text}" is not a real date` });
      return z.NEVER;
    }
    return ms;
  });
const limit = (fallback: number, max = MAX_PAGE_LIMIT) =>
  z
    .number()
    .int('expected a whole number')
    .min(1, 'expected at least 1')
    .default(fallback)
    .transform((n) => Math.min(n, max));

const eventFilterShape = {
  run_id: id.optional(),
  session_id: id.optional(),
  types: z.array(EventTypeNameSchema).min(1, 'expected at least one event type').max(100).optional(),
  status: z.enum(EVENT_STATUSES).optional(),
  source: name.optional(),
  audit_level: z.enum(AUDIT_LEVELS).optional(),
  parent_event_id: id.optional(),
  from: time.optional(),
  to: time.optional(),
  text: search.optional(),
};

/** The filters of an event query (no paging). */
export const EventFilterSchema = z.strictObject(eventFilterShape);
/** A parsed event filter: times are epoch milliseconds. */
export type EventFilter = z.output<typeof EventFilterSchema>;

/** `listEvents` input. */
export const EventQuerySchema = z.strictObject({
  ...eventFilterShape,
  cursor: cursor.optional(),
  limit: limit(100),
  order: z.enum(['asc', 'desc']).default('asc'),
});
/** A parsed `listEvents` query. */
export type ParsedEventQuery = z.output<typeof EventQuerySchema>;

/** `exportEvents` query: an event query without paging. */
export const ExportQuerySchema = z.strictObject({
  ...eventFilterShape,
  order: z.enum(['asc', 'desc']).default('asc'),
});

/** `listRuns` input. */
export const RunQuerySchema = z.strictObject({
  status: z.enum(RUN_STATUSES).optional(),
  source: name.optional(),
  session_id: id.optional(),
  search: search.optional(),
  from: time.optional(),
  to: time.optional(),
  cursor: cursor.optional(),
  limit: limit(50),
});
/** A parsed `listRuns` query. */
export type ParsedRunQuery = z.output<typeof RunQuerySchema>;

/** `listSessions` input. */
export const SessionQuerySchema = z.strictObject({
  search: search.optional(),
  from: time.optional(),
  to: time.optional(),
  cursor: cursor.optional(),
  limit: limit(50),
});
/** A parsed `listSessions` query. */
export type ParsedSessionQuery = z.output<typeof SessionQuerySchema>;

/** `stats` input. */
export const StatsQuerySchema = z.strictObject({
  run_id: id.optional(),
  session_id: id.optional(),
  source: name.optional(),
  from: time.optional(),
  to: time.optional(),
  groupBy: z.enum(['source', 'event_type', 'operation', 'layer', 'component', 'model']).optional(),
  slowest: limit(10, MAX_SLOWEST),
});
/** A parsed `stats` query. */
export type ParsedStatsQuery = z.output<typeof StatsQuerySchema>;

/** `tail` options. */
export const TailOptionsSchema = z.strictObject({
  filter: EventFilterSchema.default({}),
  since: cursor.optional(),
  intervalMs: z.number().int().min(5, 'expected at least 5 ms').max(10_000).default(25),
  signal: z.instanceof(AbortSignal, { message: 'expected an AbortSignal' }).optional(),
});
/** Parsed `tail` options. */
export type ParsedTailOptions = z.output<typeof TailOptionsSchema>;

/** `exportEvents` format. */
export const ExportFormatSchema = z.enum(['jsonl', 'csv']);
/** `getChildren` limit. */
export const ChildrenLimitSchema = limit(100);
/** A run, session or event id argument. */
export const IdSchema = id;

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
