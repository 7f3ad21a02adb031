import { EnvelopeSchema, serializeEnvelope } from '@obs/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isEnvelope } from './envelope-check.js';
import { envelope } from './test-envelopes.js';

const FIELDS = Object.keys(envelope(1));

/** Values a hostile or corrupt line could put in a field. */
const hostileValue = fc.oneof(
  fc.constantFrom(
    null,
    undefined,
    true,
    0,
    -1,
    -0,
    1.5,
    2 ** 53,
    Number.POSITIVE_INFINITY,
    Number.NaN,
    '',
    'x'.repeat(257),
    'x'.repeat(1 << 20),
    'Tool.Call',
    'a..b',
    '2026-02-30T00:00:00.000Z',
    '2026-01-01T24:00:00.000Z',
    '2024-02-29T23:59:59.999Z',
    '2023-02-29T00:00:00.000Z',
    '2016-12-31T23:59:60.000Z',
    '2026-01-01T00:00:00Z',
    '2026-01-01T00:00:00.00aZ',
    '2026-01-01T00:00:0a.000Z',
    '+2026-01-01T00:00:00.000Z',
    '2026-1-01T00:00:00.000Z',
    '2026-01-01 00:00:00.000Z',
    '2026-01-01T00:00:00.000z',
    '0000-01-01T00:00:00.000Z',
    '019b7ca9-8c89-6000-a27c-01cabbc03171',
    '019B7CA9-8C89-7000-A27C-01CABBC03171',
    'turn',
    'error',
    'ok',
    'bogus',
    [],
    {},
    [1, 2],
    Object.create(null),
  ),
  fc.string(),
  fc.double(),
  fc.integer(),
  fc.json().map((j) => JSON.parse(j) as unknown),
);

/** A valid envelope with some fields replaced, removed or added. */
const mutated = fc
  .tuple(
    fc.integer({ min: 1, max: 1000 }),
    fc.array(fc.tuple(fc.constantFrom(...FIELDS, 'extra', '__proto__'), hostileValue, fc.boolean()), {
      maxLength: 3,
    }),
  )
  .map(([seq, changes]) => {
    const e: Record<string, unknown> = JSON.parse(serializeEnvelope(envelope(seq)));
    for (const [field, value, remove] of changes) {
      if (remove) delete e[field];
      else Object.defineProperty(e, field, { value, enumerable: true, configurable: true, writable: true });
    }
    return e;
  });

describe('isEnvelope', () => {
  it('passes the lines core writes, so the schema is rarely needed', () => {
    for (let seq = 1; seq <= 200; seq++) {
      expect(isEnvelope(JSON.parse(serializeEnvelope(envelope(seq))))).toBe(true);
    }
    const full = envelope(7, {
      session_id: 's',
      turn_number: 3,
      parent_event_id: 'p',
      status: 'error',
      duration_ms: 12.5,
      request_id: 'r',
      cycle: 2,
    });
    expect(isEnvelope(JSON.parse(serializeEnvelope(full)))).toBe(true);
  });

  it('never passes a value the schema refuses (hostile and corrupt fields)', () => {
    fc.assert(
      fc.property(mutated, (value) => {
        if (isEnvelope(value)) expect(EnvelopeSchema.safeParse(value).success).toBe(true);
      }),
      { numRuns: 20_000 },
    );
  });

  it('judges timestamps exactly as the schema does', () => {
    const line = JSON.parse(serializeEnvelope(envelope(1)));
    const part = (n: number, max: number) =>
      fc.integer({ min: 0, max }).map((v) => String(v).padStart(n, '0'));
    const stamp = fc
      .tuple(part(4, 9999), part(2, 13), part(2, 32), part(2, 25), part(2, 61), part(2, 61), part(3, 999))
      .map(([y, mo, d, h, mi, s, ms]) => `${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}Z`);
    fc.assert(
      fc.property(
        fc.oneof(
          stamp,
          fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
        ),
        (timestamp) => {
          const value = { ...line, timestamp };
          expect(isEnvelope(value)).toBe(EnvelopeSchema.safeParse(value).success);
        },
      ),
      { numRuns: 20_000 },
    );
  });

  it('refuses what is not an object of the sixteen fields', () => {
    const line = JSON.parse(serializeEnvelope(envelope(1)));
    for (const value of [null, [], 'x', 1, Object.create(null), { ...line, extra: 1 }, [line]]) {
      expect(isEnvelope(value)).toBe(false);
    }
    const { payload: _payload, ...noPayload } = line;
    expect(isEnvelope({ ...noPayload, extra: {} })).toBe(false);
    expect(isEnvelope({ ...line, payload: [] })).toBe(false);
    expect(isEnvelope({ ...line, payload: null })).toBe(false);
    expect(isEnvelope({ ...line, payload: Object.create(null) })).toBe(false);
    expect(isEnvelope({ ...line, seq: 2 ** 53 })).toBe(false);
  });
});
