import type { Envelope } from '@obs/core';
import type { StoredEvent } from './batch-writer.js';

/**
 * What the writer thread needs of each event, packed flat so a batch crosses to the thread as one
 * array of primitives and one array of canonical lines, and the thread never parses JSON: the
 * envelope fields the columns, summaries and rollups read, and the few payload fields the rules
 * read (`stats-rollup.ts`, `rollup-rules.ts`). Non-primitive payload values travel as `null`,
 * which the rules treat as they treat any non-string / non-number value.
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
const WIDTH = ENVELOPE_FIELDS.length + PAYLOAD_FIELDS.length;

type Primitive = string | number | boolean | null | undefined;
const primitive = (v: unknown): Primitive =>
  v === undefined || v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'
    ? v
    : null;

/** The facts of a batch, {@link WIDTH} slots per event. */
export function packFacts(envelopes: readonly Envelope[]): Primitive[] {
  const out: Primitive[] = new Array(envelopes.length * WIDTH);
  let at = 0;
  for (const e of envelopes) {
    for (const f of ENVELOPE_FIELDS) out[at++] = e[f];
    const p = e.payload;
    for (const f of PAYLOAD_FIELDS) out[at++] = primitive(p[f]);
  }
  return out;
}

/**
 * The batch back as events for the writer: each envelope holds the packed fields and a payload of
 * only the fields the rules read (the canonical line is stored as given, never rebuilt from this).
 */
export function unpackFacts(facts: readonly Primitive[], lines: readonly string[]): StoredEvent[] {
  if (facts.length !== lines.length * WIDTH) {
    throw new Error(
      `a batch of ${lines.length} lines came with ${facts.length} facts, expected ${lines.length * WIDTH}`,
    );
  }
  const out: StoredEvent[] = new Array(lines.length);
  let at = 0;
  for (let i = 0; i < lines.length; i++) {
    const e: Record<string, unknown> = {};
    for (const f of ENVELOPE_FIELDS) e[f] = facts[at++];
    const payload: Record<string, unknown> = {};
    for (const f of PAYLOAD_FIELDS) {
      const v = facts[at++];
      if (v !== undefined) payload[f] = v;
    }
    e['payload'] = payload;
    out[i] = { envelope: e as unknown as Envelope, json: lines[i]! };
  }
  return out;
}
