import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { canonicalJson, serializeEnvelope, serializeEnvelopeWith } from './canonical-json.js';
import { builtinPayloadSchemas } from './catalog.js';
import type { Envelope } from './envelope.js';
import { compilePayloadSerializer, type PayloadSerializer } from './payload-serializer.js';
import { number, shapes, text, valuesOf } from './test/payload-values.js';
import { uuidv7 } from './uuidv7.js';

/** What may take a parsed value's place: never an object with keys its schema does not have. */
const replacement = fc.oneof(
  fc.constant('[REDACTED]'),
  text,
  number,
  fc.boolean(),
  fc.constantFrom(null, undefined),
  fc.array(fc.oneof(text, number, fc.constant(undefined)), { maxLength: 3 }),
);

/**
 * What the guard may do to a parsed payload before it is serialized: replace values (a secret by
 * the redaction marker, say), never add keys. `seed` picks which values, `by` what replaces them.
 */
function redactSome(value: unknown, seed: number, by: unknown): unknown {
  let state = seed;
  const pick = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state % 5 === 0;
  };
  const walk = (v: unknown): unknown => {
    if (typeof v !== 'object' || v === null) return v;
    if (Array.isArray(v)) return v.map((item) => (pick() ? by : walk(item)));
    return Object.fromEntries(Object.entries(v).map(([k, item]) => [k, pick() ? by : walk(item)]));
  };
  return walk(value);
}

/**
 * The compiled serializer agrees with `canonicalJson` on every parsed value, and on a parsed value
 * with some values replaced it either agrees or refuses (then the generic path writes it).
 */
function checkAgainstGeneric(schema: z.ZodType, runs = 400) {
  const serializer = compilePayloadSerializer(schema);
  expect(serializer).toBeDefined();
  let parsedCount = 0;
  fc.assert(
    fc.property(valuesOf(schema), fc.nat(), replacement, (value, seed, by) => {
      const parsed = schema.safeParse(value);
      if (!parsed.success) return;
      parsedCount++;
      expect(compiled(serializer!, parsed.data as Record<string, unknown>)).toBe(canonicalJson(parsed.data));
      const redacted = redactSome(parsed.data, seed, by) as Record<string, unknown>;
      const raw = compiled(serializer!, redacted);
      if (raw !== undefined) expect(raw).toBe(canonicalJson(redacted));
    }),
    { numRuns: runs, seed: 20261203 },
  );
  expect(parsedCount).toBeGreaterThan(runs / 20);
}

const compiled = (serializer: PayloadSerializer, payload: Record<string, unknown>) => serializer(payload);

describe('compilePayloadSerializer', () => {
  it.each(Object.keys(builtinPayloadSchemas))(
    'writes the same bytes as canonicalJson for "%s" payloads',
    (name) => {
      checkAgainstGeneric(builtinPayloadSchemas[name as keyof typeof builtinPayloadSchemas]);
    },
  );

  it.each(Object.keys(shapes))('writes the same bytes as canonicalJson for %s', (name) => {
    checkAgainstGeneric(shapes[name]!);
  });

  it('refuses a value of the wrong type, so the caller takes the generic path', () => {
    const serializer = compilePayloadSerializer(z.object({ n: z.number(), o: z.object({ s: z.string() }) }))!;
    expect(compiled(serializer, { n: '[REDACTED]', o: { s: 'x' } })).toBeUndefined();
    expect(compiled(serializer, { n: 1, o: [] })).toBeUndefined();
    expect(compiled(serializer, { n: 1, o: { s: 'x' } })).toBe('{"n":1,"o":{"s":"x"}}');
  });

  it('leaves schemas without a fixed set of keys to the generic path', () => {
    expect(compilePayloadSerializer(z.record(z.string(), z.unknown()))).toBeUndefined();
    expect(compilePayloadSerializer(z.looseObject({ a: z.string() }))).toBeUndefined();
    expect(compilePayloadSerializer(z.object({ ['__proto__']: z.string() }))).toBeUndefined();
    expect(compilePayloadSerializer(z.object({ a: z.string() }).transform((v) => v))).toBeUndefined();
  });

  it('writes nesting deeper than it unrolls through the generic path', () => {
    let schema: z.ZodType = z.object({ leaf: z.string() });
    let value: Record<string, unknown> = { leaf: 'x"y' };
    for (let i = 0; i < 40; i++) {
      schema = z.object({ [`k${i % 3}`]: schema });
      value = { [`k${i % 3}`]: value };
    }
    expect(compiled(compilePayloadSerializer(schema)!, value)).toBe(canonicalJson(value));
  });
});

const nullable = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null });
const envelopeFields = fc.record({
  event_type: fc.constantFrom('llm.call', 'tool.call', 'x"y'),
  timestamp: fc.constantFrom('2026-01-02T03:04:05.678Z', 'not "iso"'),
  seq: number,
  source: text,
  run_id: text,
  request_id: nullable(text),
  cycle: nullable(number),
  session_id: nullable(text),
  turn_number: nullable(number),
  parent_event_id: nullable(text),
  audit_level: fc.constantFrom('turn', 'session', 'export'),
  status: fc.constantFrom(null, 'ok', 'error'),
  duration_ms: nullable(number),
});

describe('serializeEnvelopeWith', () => {
  const schema = builtinPayloadSchemas['llm.call'];
  const serializer = compilePayloadSerializer(schema);

  it('writes the same bytes as serializeEnvelope, envelope fields included', () => {
    fc.assert(
      fc.property(envelopeFields, valuesOf(schema), (fields, value) => {
        const parsed = schema.safeParse(value);
        fc.pre(parsed.success);
        const payload = parsed.data as Record<string, unknown>;
        const e = { schema_version: 1, event_id: uuidv7(), ...fields, payload } as Envelope;
        const { payload: _, ...fieldsOnly } = e;
        const reordered = { payload, ...fieldsOnly } as Envelope;
        expect(serializeEnvelopeWith(e, serializer)).toBe(serializeEnvelope(e));
        expect(serializeEnvelopeWith(reordered, serializer)).toBe(serializeEnvelope(e));
      }),
      { numRuns: 500 },
    );
  });

  it('follows a field that changes between consecutive events (its kept text is not reused)', () => {
    const base = {
      event_id: uuidv7(),
      event_type: 'llm.call',
      timestamp: '2026-01-02T03:04:05.678Z',
      seq: 1,
      source: 's',
      run_id: 'r',
      request_id: null,
      cycle: 0,
      session_id: null,
      turn_number: 1,
      parent_event_id: null,
      audit_level: 'turn',
      status: null,
      duration_ms: null,
      payload: { provider: 'p' },
    };
    const changes = [
      { schema_version: 2 },
      { schema_version: 1 },
      { status: 'error' },
      { status: null, duration_ms: 12.5 },
      { duration_ms: null, event_type: 'tool.call' },
      { timestamp: '2026-01-02T03:04:05.679Z' },
      { session_id: 's"2', turn_number: 3 },
    ];
    let e = { schema_version: 1, ...base } as Envelope;
    for (const change of changes) {
      e = { ...e, ...change } as Envelope;
      expect(serializeEnvelopeWith(e, serializer)).toBe(serializeEnvelope(e));
    }
  });

  it('falls back to serializeEnvelope for fields of the wrong type', () => {
    const e = {
      schema_version: 1,
      event_id: uuidv7(),
      event_type: 'llm.call',
      timestamp: new Date(0),
      seq: 1,
      source: 's',
      run_id: 'r',
      request_id: undefined,
      cycle: null,
      session_id: null,
      turn_number: null,
      parent_event_id: null,
      audit_level: 'turn',
      status: null,
      duration_ms: null,
      payload: { provider: 'p', model: 'm' },
    } as unknown as Envelope;
    expect(serializeEnvelopeWith(e, serializer)).toBe(serializeEnvelope(e));
  });

  it('is right when a payload toJSON serializes another event meanwhile (the memos are re-entrant)', () => {
    const inner = { schema_version: 1, event_id: uuidv7(), ...fc.sample(envelopeFields, 1)[0]! };
    const generic = compilePayloadSerializer(z.object({ any: z.unknown() }))!;
    const innerEnvelope = { ...inner, payload: { any: 'x' } } as Envelope;
    const hostile = { toJSON: () => serializeEnvelopeWith(innerEnvelope, generic) };
    const e = { ...inner, event_id: uuidv7(), payload: { any: hostile } } as Envelope;
    expect(serializeEnvelopeWith(e, generic)).toBe(serializeEnvelope(e));
  });
});
