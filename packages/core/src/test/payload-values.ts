import fc from 'fast-check';
import { z } from 'zod';

/** Strings JSON has to escape, lone and paired surrogates, and plain text. */
export const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 70 }),
  fc.string({
    unit: fc.constantFrom('a', '"', '\\', '\n', '\u0000', '\u2028', '\ud800', '\udc00', 'é', '😀'),
  }),
  fc.string({ maxLength: 120 }),
);
export const number = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(-0, 1e21, 5e-324, Number.MAX_VALUE),
);
/** Any value a payload field might hold after redaction or by mistake: the serializer must refuse or agree. */
export const anything = fc.oneof(
  { maxDepth: 3 },
  fc.anything({ maxDepth: 3, withSparseArray: true, withNullPrototype: true }),
  text,
  number,
  fc.constant(undefined),
);

type Def = {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  element?: z.ZodType;
  entries?: Record<string, string>;
  values?: unknown[];
  pattern?: RegExp;
  options?: z.ZodType[];
  checks?: { _zod: { def: { pattern?: RegExp } } }[];
};
const defOf = (schema: z.ZodType) => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** Values that mostly satisfy `schema`, sometimes not (parsing then sorts them out). */
export function valuesOf(schema: z.ZodType, depth = 0): fc.Arbitrary<unknown> {
  const def = defOf(schema);
  const typed = (() => {
    switch (def.type) {
      case 'string': {
        const pattern =
          def.pattern ?? def.checks?.find((c) => c._zod.def.pattern !== undefined)?._zod.def.pattern;
        return pattern === undefined ? text : fc.stringMatching(pattern);
      }
      case 'number':
        return fc.oneof(
          { weight: 12, arbitrary: fc.nat() },
          { weight: 1, arbitrary: fc.double({ min: 0, max: 1 }) },
          number,
        );
      case 'boolean':
        return fc.boolean();
      case 'enum':
        return fc.constantFrom(...Object.values(def.entries!));
      case 'null':
        return fc.constant(null);
      case 'literal':
        return fc.constantFrom(...def.values!);
      case 'union':
        return fc.oneof(...def.options!.map((option) => valuesOf(option, depth + 1)));
      case 'record':
        return fc.dictionary(text, anything, { maxKeys: 4 });
      case 'nonoptional':
        return valuesOf(def.innerType!, depth);
      case 'custom':
        return fc.dictionary(text, anything, { maxKeys: 3 });
      case 'default':
      case 'optional':
        return fc.option(valuesOf(def.innerType!, depth), { nil: undefined });
      case 'nullable':
        return fc.option(valuesOf(def.innerType!, depth), { nil: null });
      case 'array':
        return fc.array(valuesOf(def.element!, depth + 1), { maxLength: 4 });
      case 'object':
        return fc.record(
          Object.fromEntries(Object.entries(def.shape!).map(([k, v]) => [k, valuesOf(v, depth + 1)])),
          { requiredKeys: [] },
        );
      default:
        return anything;
    }
  })();
  return depth === 0 || depth > 4
    ? typed
    : fc.oneof({ weight: 100, arbitrary: typed }, { weight: 1, arbitrary: anything });
}

/** Schemas past the catalog's: unsorted keys, escapes, open parts. */
export const shapes: Record<string, z.ZodType> = {
  'unsorted keys, nesting, arrays of objects': z.object({
    zeta: z.string(),
    alpha: z.number().optional(),
    middle: z.object({ b: z.boolean(), a: z.array(z.object({ y: z.string().nullable(), x: z.number() })) }),
    list: z.array(z.string().optional()).optional(),
  }),
  'keys that need escaping': z.strictObject({
    'quote"key': z.string(),
    'back\\slash': z.number().optional(),
    'é unicode 😀': z.boolean().optional(),
    'line\nbreak': z.unknown(),
  }),
  'open parts: records, unions, loose objects, unknown, literals, defaults': z.object({
    rec: z.record(z.string(), z.unknown()).optional(),
    either: z.union([z.string(), z.number(), z.object({ k: z.string() })]).optional(),
    loose: z.looseObject({ a: z.string().optional() }).optional(),
    any: z.unknown(),
    lit: z.literal('fixed').optional(),
    dflt: z.string().default('d'),
    n: z.null().optional(),
  }),
};
