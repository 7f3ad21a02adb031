import { AUDIT_LEVELS, type Envelope, EVENT_STATUSES, EVENT_TYPE_PATTERN, UUID_V7_PATTERN } from '@obs/core';

const FIELD_COUNT = 16;
const ISO_MILLIS_UTC = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.\d{3}Z$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

const isId = (v: unknown): boolean => typeof v === 'string' && v.length >= 1 && v.length <= 256;
const isNullableId = (v: unknown): boolean => v === null || isId(v);
const isCount = (v: unknown): boolean => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** `toISOString`'s form of a real instant (no Feb 30, no hour 24), checked without building a Date. */
function isRealIsoInstant(text: string): boolean {
  const m = ISO_MILLIS_UTC.exec(text);
  if (m === null) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6]) > 59) {
    return false;
  }
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!);
}

/**
 * True only for a value core's `EnvelopeSchema` accepts, checked field by field without copying it
 * (several times cheaper than the schema's `safeParse` on a trail line). It may refuse a value the
 * schema would take: a caller falls back to the schema then, so the schema stays the one rule and
 * gives the message.
 */
export function isEnvelope(value: unknown): value is Envelope {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const e = value as Record<string, unknown>;
  if (Object.getPrototypeOf(e) !== Object.prototype || Object.keys(e).length !== FIELD_COUNT) return false;
  const payload = e['payload'];
  return (
    e['schema_version'] === 1 &&
    typeof e['event_id'] === 'string' &&
    UUID_V7_PATTERN.test(e['event_id']) &&
    typeof e['event_type'] === 'string' &&
    e['event_type'].length <= 128 &&
    EVENT_TYPE_PATTERN.test(e['event_type']) &&
    typeof e['timestamp'] === 'string' &&
    isRealIsoInstant(e['timestamp']) &&
    isCount(e['seq']) &&
    isId(e['source']) &&
    isId(e['run_id']) &&
    isNullableId(e['request_id']) &&
    (e['cycle'] === null || isCount(e['cycle'])) &&
    isNullableId(e['session_id']) &&
    (e['turn_number'] === null || isCount(e['turn_number'])) &&
    isNullableId(e['parent_event_id']) &&
    (AUDIT_LEVELS as readonly unknown[]).includes(e['audit_level']) &&
    (e['status'] === null || (EVENT_STATUSES as readonly unknown[]).includes(e['status'])) &&
    (e['duration_ms'] === null ||
      (typeof e['duration_ms'] === 'number' && Number.isFinite(e['duration_ms']) && e['duration_ms'] >= 0)) &&
    typeof payload === 'object' &&
    payload !== null &&
    !Array.isArray(payload) &&
    Object.getPrototypeOf(payload) === Object.prototype
  );
}
