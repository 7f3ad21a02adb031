import { AUDIT_LEVELS, type Envelope, EVENT_STATUSES, EVENT_TYPE_PATTERN, UUID_V7_PATTERN } from '@obs/core';

const FIELD_COUNT = 16;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

const isId = (v: unknown): boolean => typeof v === 'string' && v.length >= 1 && v.length <= 256;
const isNullableId = (v: unknown): boolean => v === null || isId(v);
const isCount = (v: unknown): boolean => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** The number of the ASCII digits from `from` to `to` in `text`, or -1 when one is not a digit. */
function digits(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/** `toISOString`'s form of a real instant (no Feb 30, no hour 24), checked without a regex or a Date. */
function isRealIsoInstant(t: string): boolean {
  if (t.length !== 24 || t[4] !== '-' || t[7] !== '-' || t[10] !== 'T' || t[13] !== ':' || t[16] !== ':') {
    return false;
  }
  if (t[19] !== '.' || t[23] !== 'Z' || digits(t, 20, 23) < 0) return false;
  const year = digits(t, 0, 4);
  const month = digits(t, 5, 7);
  const day = digits(t, 8, 10);
  const hour = digits(t, 11, 13);
  const minute = digits(t, 14, 16);
  const second = digits(t, 17, 19);
  if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23) return false;
  if (minute < 0 || minute > 59 || second < 0 || second > 59) return false;
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
