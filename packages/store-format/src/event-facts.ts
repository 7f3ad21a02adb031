import type { Envelope } from '@obs/core';

/**
 * What the writer needs of each event, packed so a batch crosses between threads as two typed
 * arrays (moved, not copied) and one table of the distinct strings, and the receiving thread
 * parses no JSON: the envelope fields the columns, summaries and rollups read, and the few payload
 * fields the rules read (`stats-rollup.ts`, `rollup-rules.ts`). Non-primitive payload values travel
 * as `null`, which the rules treat as they treat any non-string / non-number value.
 */
const ENVELOPE_FIELDS = [
  'event_id',
  'event_type',
  'timestamp',
  'source',
  'run_id',
  'session_id',
  'turn_number',
  'parent_event_id',
  'audit_level',
  'status',
  'duration_ms',
] as const;
const PAYLOAD_FIELDS = [
  'operation',
  'model',
  'layer',
  'component',
  'prompt_tokens',
  'completion_tokens',
  'total_tokens',
  'cost_usd',
  'outcome',
] as const;
/** An event as a store writer needs it: the envelope (or the fields its rules read) and the canonical line. */
export interface FactEvent {
  readonly envelope: Envelope;
  readonly json: string;
}

const WIDTH = ENVELOPE_FIELDS.length + PAYLOAD_FIELDS.length;
/** Fields seldom shared by two events: not worth looking up in the batch's table. */
const UNIQUE: ReadonlySet<string> = new Set(['event_id', 'timestamp', 'parent_event_id']);

/** The kind of each slot; `values` holds the number, or the string's index in `strings`. */
const UNDEFINED = 0;
const NULL = 1;
const NUMBER = 2;
const STRING = 3;
const TRUE = 4;
const FALSE = 5;

/** The facts of a batch, one slot per field and event. */
export interface PackedEventFacts {
  kinds: Uint8Array;
  values: Float64Array;
  /** The batch's strings, each repeated one (a run id, an event type) once. */
  strings: string[];
}

/** Packs the facts of a batch's envelopes (for `postMessage` with {@link eventFactsTransfer}). */
export function packEventFacts(envelopes: readonly Envelope[]): PackedEventFacts {
  const kinds = new Uint8Array(envelopes.length * WIDTH);
  const values = new Float64Array(envelopes.length * WIDTH);
  const strings: string[] = [];
  const index = new Map<string, number>();
  let at = 0;
  const put = (v: unknown, repeats = true) => {
    if (typeof v === 'string') {
      let i = repeats ? index.get(v) : undefined;
      if (i === undefined) {
        i = strings.push(v) - 1;
        if (repeats) index.set(v, i);
      }
      kinds[at] = STRING;
      values[at] = i;
    } else if (typeof v === 'number') {
      kinds[at] = NUMBER;
      values[at] = v;
    } else if (v === true || v === false) {
      kinds[at] = v ? TRUE : FALSE;
    } else {
      kinds[at] = v === undefined ? UNDEFINED : NULL;
    }
    at++;
  };
  for (const e of envelopes) {
    for (const f of ENVELOPE_FIELDS) put(e[f], !UNIQUE.has(f));
    const p = e.payload;
    for (const f of PAYLOAD_FIELDS) put(p[f]);
  }
  return { kinds, values, strings };
}

/** The typed arrays of `facts`, to move rather than copy in `postMessage`. */
export function eventFactsTransfer(facts: PackedEventFacts): ArrayBuffer[] {
  return [facts.kinds.buffer as ArrayBuffer, facts.values.buffer as ArrayBuffer];
}

/**
 * The batch back as events for the writer: each envelope holds the packed fields and a payload of
 * only the fields the rules read (the canonical line is stored as given, never rebuilt from this).
 */
export function unpackEventFacts(facts: PackedEventFacts, lines: readonly string[]): FactEvent[] {
  const { kinds, values, strings } = facts;
  if (kinds.length !== lines.length * WIDTH || values.length !== kinds.length) {
    throw new Error(
      `a batch of ${lines.length} lines came with ${kinds.length} facts, expected ${lines.length * WIDTH}`,
    );
  }
  const value = (at: number): unknown => {
    switch (kinds[at]) {
      case STRING: {
        const s = strings[values[at]!];
        if (s === undefined) throw new Error(`a packed fact names string ${values[at]} of ${strings.length}`);
        return s;
      }
      case NUMBER:
        return values[at];
      case TRUE:
        return true;
      case FALSE:
        return false;
      case NULL:
        return null;
      default:
        return undefined;
    }
  };
  const out: FactEvent[] = new Array(lines.length);
  let at = 0;
  for (let i = 0; i < lines.length; i++) {
    const e: Record<string, unknown> = {};
    for (const f of ENVELOPE_FIELDS) e[f] = value(at++);
    const payload: Record<string, unknown> = {};
    for (const f of PAYLOAD_FIELDS) {
      const v = value(at++);
      if (v !== undefined) payload[f] = v;
    }
    e['payload'] = payload;
    out[i] = { envelope: e as unknown as Envelope, json: lines[i]! };
  }
  return out;
}
