import { ENVELOPE_FIELDS, type Envelope } from './envelope.js';

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

/**
 * The value with every object's keys in sorted order; objects already sorted are reused, so a
 * canonical payload costs one walk and no copies. `JSON.stringify` then does the fast native work.
 */
function sortKeysDeep(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) {
    if (typeof value === 'bigint') {
      throw new TypeError('canonicalJson: a bigint has no JSON form; convert it to a string or number first');
    }
    return value;
  }
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const next = sortKeysDeep(value[i]);
      if (next !== value[i]) {
        copy ??= value.slice();
        copy[i] = next;
      }
    }
    return copy ?? value;
  }
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return sortKeysDeep((value as { toJSON: () => unknown }).toJSON());
  }
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object);
  for (let i = 0; i < keys.length; i++) {
    const child = object[keys[i]!];
    if ((i > 0 && keys[i - 1]! > keys[i]!) || sortKeysDeep(child) !== child) return sortedCopy(object, keys);
  }
  return object;
}

function sortedCopy(object: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  keys.sort();
  const out: Record<string, unknown> = {};
  // defineProperty, not assignment: a "__proto__" key from parsed JSON must stay a plain key.
  for (const key of keys) {
    Object.defineProperty(out, key, {
      value: sortKeysDeep(object[key]),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}
