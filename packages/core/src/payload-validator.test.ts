import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { builtinPayloadSchemas } from './catalog.js';
import { EnvelopeFieldsInputSchema } from './envelope-input.js';
import { compilePayloadValidator } from './payload-validator.js';
import { anything, shapes, valuesOf } from './test/payload-values.js';

/** Own keys with their values, `undefined` ones included, so a key zod keeps and the copy drops (or the reverse) differs. */
const entries = (value: unknown): unknown =>
  typeof value !== 'object' || value === null
    ? value
    : Array.isArray(value)
      ? value.map(entries)
      : Object.keys(value)
          .sort()
          .map((k) => [k, entries((value as Record<string, unknown>)[k])]);

/**
 * Whatever the input, the compiled check says nothing (zod decides) or says exactly what zod says:
 * it never accepts what zod refuses, and what it accepts is zod's output, key for key.
 */
function checkAgainstZod(schema: z.ZodType, runs = 600, generate = true, minAccepted = runs / 20) {
  const validator = compilePayloadValidator(schema, { generate });
  expect(validator).toBeDefined();
  let accepted = 0;
  fc.assert(
    fc.property(fc.oneof({ weight: 9, arbitrary: valuesOf(schema) }, anything), (value) => {
      const zod = schema.safeParse(value);
      const compiled = validator!(value);
      if (compiled === undefined) return;
      accepted++;
      expect(zod.success).toBe(true);
      expect(entries(compiled)).toEqual(entries(zod.data));
      if (typeof value === 'object' && value !== null) expect(compiled).not.toBe(value);
    }),
    // a fixed seed: the same inputs on every run, so the count below cannot fall short by chance
    { numRuns: runs, seed: 20261203 },
  );
  expect(accepted).toBeGreaterThan(minAccepted);
}

describe('compilePayloadValidator', () => {
  it.each(Object.keys(builtinPayloadSchemas))('agrees with zod on "%s" payloads', (name) => {
    checkAgainstZod(builtinPayloadSchemas[name as keyof typeof builtinPayloadSchemas]);
  });

  it.each(Object.keys(shapes))('agrees with zod on %s', (name) => {
    checkAgainstZod(shapes[name]!);
  });

  it('agrees with zod on envelopes sent to ingest (regex, refine, custom, nonoptional)', () => {
    checkAgainstZod(EnvelopeFieldsInputSchema, 2000, true, 40);
  });

  it.each(Object.keys(builtinPayloadSchemas))(
    'agrees with zod on "%s" payloads without code generation',
    (name) => checkAgainstZod(builtinPayloadSchemas[name as keyof typeof builtinPayloadSchemas], 300, false),
  );

  it('keeps keys that hold undefined, as zod does, and leaves hidden keys to zod', () => {
    const schema = z.strictObject({ a: z.string().optional(), b: z.number().optional(), u: z.unknown() });
    for (const generate of [true, false]) {
      const validator = compilePayloadValidator(schema, { generate })!;
      expect(entries(validator({ a: undefined, u: 1 }))).toEqual(
        entries(schema.parse({ a: undefined, u: 1 })),
      );
      expect(validator({ a: 'x', u: undefined })).toBeUndefined();
      const hidden = Object.defineProperty({ u: 1 }, 'b', { value: 2, enumerable: false });
      expect(validator(hidden)).toBeUndefined();
      expect(validator({ u: 1, extra: undefined })).toBeUndefined();
    }
  });

  it('agrees with zod at the edges of lengths and ranges', () => {
    const schema = z.strictObject({
      s: z.string().min(3).max(4),
      one: z.string().min(1).optional(),
      n: z.number().int().nonnegative().optional(),
      r: z.number().gt(-1).lt(1).optional(),
      e: z.enum(['a', 'b']).optional(),
    });
    const validator = compilePayloadValidator(schema)!;
    const cases: unknown[] = [
      { s: 'abc' },
      { s: 'abcd' },
      { s: 'ab' },
      { s: 'abcde' },
      { s: '😀😀' },
      { s: '😀😀😀' },
      { s: '😀a' },
      { s: 'abc', one: '' },
      { s: 'abc', one: '😀' },
      { s: 'abc', n: -0 },
      { s: 'abc', n: 2 ** 53 },
      { s: 'abc', n: 1.5 },
      { s: 'abc', n: Number.NaN },
      { s: 'abc', r: -1 },
      { s: 'abc', r: 0.999 },
      { s: 'abc', r: 1 },
      { s: 'abc', e: 'c' },
      { s: 'abc', extra: 1 },
      { s: 'abc', n: undefined },
      Object.assign(Object.create({ inherited: 1 }), { s: 'abc' }),
      Object.assign(Object.create(null), { s: 'abc' }),
      ['abc'],
      null,
    ];
    for (const value of cases) {
      const compiled = validator(value);
      const zod = schema.safeParse(value);
      if (compiled !== undefined) expect(entries(compiled)).toEqual(entries(zod.data));
      if (!zod.success) expect(compiled).toBeUndefined();
    }
    expect(validator({ s: 'abc', n: 3 })).toEqual({ s: 'abc', n: 3 });
    expect(validator({ s: 'abc', extra: 1 })).toBeUndefined();
  });

  it('copies plain records key by key and leaves every other object to zod', () => {
    const schema = z.strictObject({
      r: z.record(z.string(), z.unknown()).optional(),
      n: z.record(z.string(), z.number().int()).optional(),
    });
    const symbolKeyed = { a: 1, [Symbol('s')]: 2 };
    const hidden = Object.defineProperty({ a: 1 }, 'b', { value: 2, enumerable: false });
    const inputs: unknown[] = [
      JSON.parse('{"__proto__": {"polluted": true}, "a": 1}'),
      { constructor: 'x', a: 1 },
      { constructor: { prototype: {} } },
      symbolKeyed,
      hidden,
      Object.assign(Object.create(null), { a: 1 }),
      Object.assign(Object.create({ inherited: 1 }), { a: 1 }),
      new Date(0),
      new Map([['a', 1]]),
      [1, 2],
      { 2: 'two', 1: 'one', b: undefined, a: null },
      {},
    ];
    for (const generate of [true, false]) {
      const validator = compilePayloadValidator(schema, { generate })!;
      for (const input of inputs) {
        for (const value of [{ r: input }, { n: input }]) {
          const compiled = validator(value);
          const zod = schema.safeParse(value);
          if (compiled !== undefined) {
            expect(zod.success).toBe(true);
            expect(entries(compiled)).toEqual(entries(zod.data));
            expect(Object.keys(compiled['r'] ?? compiled['n']!)).toEqual(
              Object.keys(
                (zod.data as Record<string, object>)['r'] ?? (zod.data as Record<string, object>)['n']!,
              ),
            );
          } else if (!zod.success) expect(compiled).toBeUndefined();
        }
      }
      const copied = validator({ r: { 2: 'two', 1: 'one', b: undefined } })!;
      expect(Object.keys(copied['r']!)).toEqual(['1', '2', 'b']);
      expect(validator({ n: { a: 1.5 } })).toBeUndefined();
      expect(validator({ r: JSON.parse('{"__proto__": 1}') })).toBeUndefined();
      expect(validator({ r: symbolKeyed })).toBeUndefined();
    }
  });

  it('copies the payload, so changing it after emit changes nothing stored', () => {
    const validator = compilePayloadValidator(builtinPayloadSchemas['tool.result'])!;
    const input = { tool: 't', success: false, error: { message: 'boom' } };
    const out = validator(input)!;
    input.error.message = 'changed';
    expect((out['error'] as { message: string }).message).toBe('boom');
  });

  it('leaves refinements, transforms and other roots to zod', () => {
    expect(compilePayloadValidator(z.record(z.string(), z.unknown()))).toBeUndefined();
    const keyed = compilePayloadValidator(z.object({ r: z.record(z.string().min(2), z.unknown()) }))!;
    expect(keyed({ r: { a: 1 } })).toBeUndefined();
    expect(compilePayloadValidator(z.object({ a: z.string() }).refine(() => true))).toBeUndefined();
    const refined = compilePayloadValidator(z.object({ a: z.string().refine((s) => s !== 'no') }))!;
    expect(refined({ a: 'no' })).toBeUndefined();
    expect(refined({ a: 'yes' })).toEqual({ a: 'yes' });
    const superRefined = compilePayloadValidator(
      z.object({ a: z.string().superRefine((s, ctx) => void (s === 'no' && ctx.addIssue('no'))) }),
    )!;
    expect(superRefined({ a: 'no' })).toBeUndefined();
    expect(superRefined({ a: 'yes' })).toEqual({ a: 'yes' });
    const asynchronous = compilePayloadValidator(z.object({ a: z.string().refine(async () => true) }))!;
    expect(asynchronous({ a: 'x' })).toBeUndefined();
    const transformed = compilePayloadValidator(z.object({ a: z.string().transform((s) => s.length) }))!;
    expect(transformed({ a: 'abc' })).toEqual({ a: 3 });
  });
});
