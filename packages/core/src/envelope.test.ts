import { describe, expect, it } from 'vitest';
import { canonicalJson, serializeEnvelope } from './canonical-json.js';
import { type Envelope, EnvelopeSchema } from './envelope.js';
import { UUID_V7_PATTERN, uuidv7 } from './uuidv7.js';

const envelope = (overrides: Partial<Envelope> = {}): Envelope => ({
  schema_version: 1,
  event_id: uuidv7(),
  event_type: 'tool.call',
  timestamp: '2026-01-02T03:04:05.678Z',
  seq: 1,
  source: 'agent',
  run_id: 'run-1',
  request_id: null,
  cycle: 2,
  session_id: null,
  turn_number: null,
  parent_event_id: null,
  audit_level: 'turn',
  status: null,
  duration_ms: null,
  payload: { tool: 'search', arguments: { q: 'x' } },
  ...overrides,
});

describe('EnvelopeSchema', () => {
  it('accepts a well-formed envelope', () => {
    expect(EnvelopeSchema.safeParse(envelope()).success).toBe(true);
  });

  it.each([
    ['event_type', { event_type: 'Tool.Call' }],
    ['event_type', { event_type: `a${'.b'.repeat(70)}` }],
    ['event_type', { event_type: '../etc' }],
    ['timestamp', { timestamp: '2026-01-02 03:04:05' }],
    ['timestamp', { timestamp: '2026-02-30T25:61:61.000Z' }],
    ['event_id', { event_id: '6f1c0c4e-2b1a-4c55-9d0a-8f6c0a3b2d11' }],
    ['audit_level', { audit_level: 'forever' as never }],
    ['seq', { seq: -1 }],
    ['duration_ms', { duration_ms: Number.POSITIVE_INFINITY }],
  ])('rejects a bad %s', (field, overrides) => {
    const result = EnvelopeSchema.safeParse(envelope(overrides as Partial<Envelope>));
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path[0])).toContain(field);
  });

  it('rejects unknown fields', () => {
    expect(EnvelopeSchema.safeParse({ ...envelope(), extra: 1 }).success).toBe(false);
  });
});

describe('serializeEnvelope', () => {
  it('is deterministic whatever the key insertion order of the payload', () => {
    const a = envelope({ payload: { tool: 't', arguments: { b: 1, a: [{ y: 2, x: 1 }] } } });
    const b = { ...a, payload: { arguments: { a: [{ x: 1, y: 2 }], b: 1 }, tool: 't' } };
    expect(serializeEnvelope(a)).toBe(serializeEnvelope(b));
  });

  it('gives the same bytes whatever the field order of the envelope object, and drops unknown fields', () => {
    const e = envelope();
    const reversed = Object.fromEntries(Object.entries(e).reverse()) as Envelope;
    const extra = { ...e, extra: 'not an envelope field' } as Envelope;
    expect(serializeEnvelope(reversed)).toBe(serializeEnvelope(e));
    expect(serializeEnvelope(extra)).toBe(serializeEnvelope(e));
    const sortedPayload = envelope({ payload: { arguments: { q: 'x' }, tool: 'search' } });
    expect(serializeEnvelope(sortedPayload)).toBe(JSON.stringify(sortedPayload));
  });

  it('gives the same bytes for a "__proto__" payload key whatever the key order, and ignores a class toJSON', () => {
    const sorted = envelope({ payload: JSON.parse('{"__proto__": {"b": 1, "a": 2}, "z": 1}') });
    const unsorted = envelope({ payload: JSON.parse('{"z": 1, "__proto__": {"a": 2, "b": 1}}') });
    expect(serializeEnvelope(unsorted)).toBe(serializeEnvelope({ ...sorted, event_id: unsorted.event_id }));
    expect(serializeEnvelope(sorted)).toContain('"payload":{"__proto__":{"a":2,"b":1},"z":1}');
    class Hostile {
      toJSON() {
        return { hacked: true };
      }
    }
    const hostile = Object.assign(new Hostile(), envelope()) as unknown as Envelope;
    expect(JSON.parse(serializeEnvelope(hostile))).toMatchObject({
      schema_version: 1,
      event_type: 'tool.call',
    });
  });

  it('writes envelope fields in SPEC order and round-trips through JSON.parse', () => {
    const e = envelope();
    const text = serializeEnvelope(e);
    expect(Object.keys(JSON.parse(text))).toEqual([
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
    ]);
    expect(JSON.parse(text)).toEqual(e);
    expect(text).not.toContain('\n');
  });

  it('escapes like JSON.stringify, including line separators and lone surrogates', () => {
    const value = { s: 'a"b\\c\n\u2028\ud800', n: [1, -0, 1e21, Number.NaN], d: new Date(0), u: undefined };
    expect(JSON.parse(canonicalJson(value)!)).toEqual(JSON.parse(JSON.stringify(value)));
  });

  it('honours toJSON as JSON.stringify does: own, inherited, nested, and after unsorted keys', () => {
    class Money {
      constructor(readonly cents: number) {}
      toJSON() {
        return { currency: 'EUR', amount: this.cents / 100 };
      }
    }
    const own = { z: 1, a: { b: 2 }, toJSON: () => ({ replaced: ['y', { d: 1, c: 2 }] }) };
    const value = { z: [new Money(150), { toJSON: () => 'text' }], a: own, m: new Map([[1, 2]]) };
    const text = canonicalJson(value)!;
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
    expect(text).toBe(
      '{"a":{"replaced":["y",{"c":2,"d":1}]},"m":{},"z":[{"amount":1.5,"currency":"EUR"},"text"]}',
    );
  });

  it("uses a plain object's own toJSON before looking inside it, even a non-enumerable one", () => {
    const hidden = { b: 1, a: 2 };
    Object.defineProperty(hidden, 'toJSON', { value: () => 'hidden', enumerable: false });
    const cases = [
      { a: 1n, toJSON: () => 'ok' },
      {
        a: {
          toJSON() {
            throw new Error('the child must not be serialized');
          },
        },
        toJSON: () => 'parent',
      },
      hidden,
    ];
    for (const value of cases) expect(canonicalJson(value)).toBe(JSON.stringify(value));
  });

  it('refuses bigint with a clear message, at any depth', () => {
    expect(() => canonicalJson({ n: 1n })).toThrow(/bigint/);
    expect(() => canonicalJson({ a: [{ b: [2n] }] })).toThrow(/bigint/);
  });
});

describe('uuidv7', () => {
  it('makes RFC 9562 v7 ids in strictly increasing order within a process', () => {
    const ids = Array.from({ length: 10_000 }, () => uuidv7(1_700_000_000_000));
    for (const id of ids) expect(id).toMatch(UUID_V7_PATTERN);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('encodes the millisecond timestamp in the first 48 bits', () => {
    const ms = Date.UTC(2030, 0, 1);
    expect(Number.parseInt(uuidv7(ms).replace(/-/g, '').slice(0, 12), 16)).toBeGreaterThanOrEqual(ms);
  });
});
