import { z } from 'zod';
import { UUID_V7_PATTERN } from './uuidv7.js';

/** The envelope schema version this build writes and reads. */
export const SCHEMA_VERSION = 1;

/** Dotted lower-case event type names: `[a-z0-9_]+(\.[a-z0-9_]+)*`, at most 128 characters. */
export const EVENT_TYPE_PATTERN = /^[a-z0-9_]+(\.[a-z0-9_]+)*$/;

/** Audit levels: how long an event matters (a turn, a session, or for export). */
export const AUDIT_LEVELS = ['turn', 'session', 'export'] as const;
/** How long an event matters for audit. */
export type AuditLevel = (typeof AUDIT_LEVELS)[number];

/** Outcome of the operation an event describes. */
export const EVENT_STATUSES = ['ok', 'error'] as const;
/** `ok`, `error`, or `null` when the event has no outcome. */
export type EventStatus = (typeof EVENT_STATUSES)[number];

const ISO_MILLIS_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Zod schema of an event type name. */
export const EventTypeNameSchema = z
  .string()
  .max(128, 'an event type has at most 128 characters')
  .regex(EVENT_TYPE_PATTERN, 'expected a dotted lower-case name like "tool.call"');

let lastInstant = '';
/**
 * True when the text names an instant that exists, written exactly as `toISOString` writes it. The
 * last text that passed is kept: events of one batch mostly share their millisecond.
 */
function isRealInstant(text: string): boolean {
  if (text === lastInstant) return true;
  const millis = Date.parse(text);
  const real = !Number.isNaN(millis) && new Date(millis).toISOString() === text;
  if (real) lastInstant = text;
  return real;
}

const nullableId = z.string().min(1).max(256).nullable();

/** Zod schema of the wire envelope (SPEC §2); `payload` is checked against its type's schema separately. */
export const EnvelopeSchema = z.strictObject({
  schema_version: z.literal(SCHEMA_VERSION),
  event_id: z.string().regex(UUID_V7_PATTERN, 'expected a lower-case UUIDv7'),
  event_type: EventTypeNameSchema,
  timestamp: z
    .string()
    .regex(ISO_MILLIS_UTC, 'expected ISO 8601 UTC with milliseconds, like 2026-01-02T03:04:05.678Z')
    .refine(isRealInstant, 'expected a real date and time (no Feb 30, no hour 25)'),
  seq: z.number().int().nonnegative(),
  source: z.string().min(1).max(256),
  run_id: z.string().min(1).max(256),
  request_id: nullableId,
  cycle: z.number().int().nonnegative().nullable(),
  session_id: nullableId,
  turn_number: z.number().int().nonnegative().nullable(),
  parent_event_id: nullableId,
  audit_level: z.enum(AUDIT_LEVELS),
  status: z.enum(EVENT_STATUSES).nullable(),
  duration_ms: z.number().nonnegative().finite().nullable(),
  payload: z.record(z.string(), z.unknown()),
});

/** One event as written to every sink. */
export type Envelope<P = Record<string, unknown>> = Omit<z.infer<typeof EnvelopeSchema>, 'payload'> & {
  payload: P;
};

/** The envelope fields in their canonical order. */
export const ENVELOPE_FIELDS = [
  'schema_version',
  'event_id',
  'event_type',
  'timestamp',
  'seq',
  'source',
  'run_id',
  'request_id',
  'cycle',
  'session_id',
  'turn_number',
  'parent_event_id',
  'audit_level',
  'status',
  'duration_ms',
  'payload',
] as const satisfies readonly (keyof Envelope)[];
