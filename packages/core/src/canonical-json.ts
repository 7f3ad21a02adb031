import { ENVELOPE_FIELDS, type Envelope } from './envelope.js';
import { jsonNumber, jsonString, needsEscape } from './json-text.js';
import { flat, LastJson } from './last-json.js';
import type { PayloadSerializer } from './payload-serializer.js';

/**
 * The canonical JSON text of an envelope: envelope fields in the order of SPEC §2, object keys
 * inside the payload sorted, no whitespace. Every sink stores exactly this text, so one event is
 * byte-identical in every store, and the same event always gives the same bytes.
 */
export function serializeEnvelope(e: Envelope): string {
  const payload = sortKeysDeep(e.payload);
  // The service builds envelopes in canonical field order; stringifying them as they are avoids a copy.
  if (payload === e.payload && Object.getPrototypeOf(e) === Object.prototype && hasCanonicalFieldOrder(e)) {
    return JSON.stringify(e);
  }
  return JSON.stringify({
    schema_version: e.schema_version,
    event_id: e.event_id,
    event_type: e.event_type,
    timestamp: e.timestamp,
    seq: e.seq,
    source: e.source,
    run_id: e.run_id,
    request_id: e.request_id,
    cycle: e.cycle,
    session_id: e.session_id,
    turn_number: e.turn_number,
    parent_event_id: e.parent_event_id,
    audit_level: e.audit_level,
    status: e.status,
    duration_ms: e.duration_ms,
    payload,
  });
}

/**
 * {@link serializeEnvelope} with the payload written by a serializer compiled from its schema: the
 * same bytes, without the generic walk. Falls back to `serializeEnvelope` when the serializer (or
 * a field of the envelope) does not match the shape it expects.
 */
export function serializeEnvelopeWith(e: Envelope, payload: PayloadSerializer | undefined): string {
  if (payload === undefined || !hasPlainFields(e) || needsEscape(e.event_id)) return serializeEnvelope(e);
  const payloadJson = payload(e.payload);
  if (payloadJson === undefined) return serializeEnvelope(e);
  return (
    schemaHead(e.schema_version) +
    e.event_id +
    eventTypes.json(e.event_type) +
    timestamps.json(e.timestamp) +
    jsonNumber(e.seq) +
    contextJson(e) +
    outcomeJson(e) +
    payloadJson +
    '}'
  );
}

/**
 * Fields that repeat from event to event (the type, the millisecond) keep their last JSON text,
 * with the keys around them: a line is a rope of a few large pieces, which costs less to build and
 * to flatten (when the file write encodes it) than one of many small pieces.
 */
const eventTypes = new LastJson('","event_type":', ',"timestamp":');
const timestamps = new LastJson('', ',"seq":');

let lastSchemaVersion: number | undefined;
let lastSchemaHead = '';

/** The line up to the `event_id`'s text. */
function schemaHead(version: number): string {
  if (version !== lastSchemaVersion) {
    lastSchemaHead = flat(`{"schema_version":${jsonNumber(version)},"event_id":"`);
    lastSchemaVersion = version;
  }
  return lastSchemaHead;
}

/** The fields from `source` to `audit_level`, which events of one context share, and their last JSON. */
const lastContext: unknown[] = [];
let lastContextJson = '';

function contextJson(e: Envelope): string {
  const c = lastContext;
  if (
    c[0] !== e.source ||
    c[1] !== e.run_id ||
    c[2] !== e.request_id ||
    c[3] !== e.cycle ||
    c[4] !== e.session_id ||
    c[5] !== e.turn_number ||
    c[6] !== e.parent_event_id ||
    c[7] !== e.audit_level
  ) {
    lastContextJson = flat(
      `,"source":${jsonString(e.source)},"run_id":${jsonString(e.run_id)},"request_id":${nullableString(e.request_id)},"cycle":${nullableNumber(e.cycle)},"session_id":${nullableString(e.session_id)},"turn_number":${nullableNumber(e.turn_number)},"parent_event_id":${nullableString(e.parent_event_id)},"audit_level":${jsonString(e.audit_level)}`,
    );
    c[0] = e.source;
    c[1] = e.run_id;
    c[2] = e.request_id;
    c[3] = e.cycle;
    c[4] = e.session_id;
    c[5] = e.turn_number;
    c[6] = e.parent_event_id;
    c[7] = e.audit_level;
  }
  return lastContextJson;
}

let lastStatus: string | null | undefined;
let lastDuration: number | null | undefined;
let lastOutcomeJson = '';

/**
 * `status` and `duration_ms` up to the payload's text, kept apart from the context: a timed event's
 * duration differs from the one before it, and must not make the whole context be written again.
 */
function outcomeJson(e: Envelope): string {
  if (e.status !== lastStatus || e.duration_ms !== lastDuration) {
    lastOutcomeJson = flat(
      `,"status":${nullableString(e.status)},"duration_ms":${nullableNumber(e.duration_ms)},"payload":`,
    );
    lastStatus = e.status;
    lastDuration = e.duration_ms;
  }
  return lastOutcomeJson;
}

const nullableString = (value: string | null) => (value === null ? 'null' : jsonString(value));
const nullableNumber = (value: number | null) => (value === null ? 'null' : jsonNumber(value));
const isNullableString = (value: unknown) => value === null || typeof value === 'string';
const isNullableNumber = (value: unknown) => value === null || typeof value === 'number';

/** True when every envelope field holds a value of its type (so no `toJSON`, no `undefined`). */
function hasPlainFields(e: Envelope): boolean {
  return (
    typeof e.schema_version === 'number' &&
    typeof e.event_id === 'string' &&
    typeof e.event_type === 'string' &&
    typeof e.timestamp === 'string' &&
    typeof e.seq === 'number' &&
    typeof e.source === 'string' &&
    typeof e.run_id === 'string' &&
    isNullableString(e.request_id) &&
    isNullableNumber(e.cycle) &&
    isNullableString(e.session_id) &&
    isNullableNumber(e.turn_number) &&
    isNullableString(e.parent_event_id) &&
    typeof e.audit_level === 'string' &&
    isNullableString(e.status) &&
    isNullableNumber(e.duration_ms)
  );
}

/** True when the envelope's own keys are exactly the envelope fields in canonical order. */
function hasCanonicalFieldOrder(e: Envelope): boolean {
  const keys = Object.keys(e);
  if (keys.length !== ENVELOPE_FIELDS.length) return false;
  for (let i = 0; i < keys.length; i++) if (keys[i] !== ENVELOPE_FIELDS[i]) return false;
  return true;
}

/** Deterministic JSON of any JSON-compatible value: `JSON.stringify` semantics with object keys sorted. */
export function canonicalJson(value: unknown): string | undefined {
  return JSON.stringify(sortKeysDeep(value));
}

const bigintError = () =>
  new TypeError('canonicalJson: a bigint has no JSON form; convert it to a string or number first');

/**
 * The value with every object's keys in sorted order; objects already sorted are reused, so a
 * canonical payload costs one walk and no copies. `JSON.stringify` then does the fast native work.
 */
function sortKeysDeep(value: unknown): unknown {
  if (typeof value === 'object' && value !== null) return canonicalObject(value);
  if (typeof value === 'bigint') throw bigintError();
  return value;
}

/**
 * {@link sortKeysDeep} of an object. Hot: every payload goes through it. Leaves are checked in the
 * loop rather than by a call each, and a plain object's `toJSON` is looked for among its own
 * properties only (a miss down the prototype chain costs more than the rest of the walk).
 */
function canonicalObject(value: object): unknown {
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const next = typeof item === 'object' && item !== null ? canonicalObject(item) : sortKeysDeep(item);
      if (next !== item) {
        copy ??= value.slice();
        copy[i] = next;
      }
    }
    return copy ?? value;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  const plain = proto === Object.prototype || proto === null;
  // a plain object's toJSON can only be its own: look there, not down the prototype chain
  const toJSON = plain
    ? Object.hasOwn(value, 'toJSON') && (value as { toJSON?: unknown }).toJSON
    : (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return sortKeysDeep((value as { toJSON: () => unknown }).toJSON());
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object);
  let canonical = true;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const child = object[key];
    if (typeof child === 'object') {
      if (canonical && child !== null && canonicalObject(child) !== child) canonical = false;
    } else if (typeof child === 'bigint') {
      throw bigintError();
    }
    if (i > 0 && keys[i - 1]! > key) canonical = false;
  }
  return canonical ? object : sortedCopy(object, keys);
}

function sortedCopy(object: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  keys.sort();
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const value = sortKeysDeep(object[key]);
    // a "__proto__" key from parsed JSON must stay a plain key: assigning it would set the prototype
    if (key === '__proto__') {
      Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
    } else {
      out[key] = value;
    }
  }
  return out;
}
