import type { z } from 'zod';

/**
 * A payload checked and copied by straight-line code compiled from its zod schema: what
 * `schema.safeParse(payload).data` would be when that is certain, `undefined` when not (the value
 * fails, or the check cannot tell), and the caller then asks zod, which also words the error.
 * Only the parts of a schema whose meaning is plain (scalars with length and range checks, enums,
 * literals, optional and nullable, arrays, strict or stripping objects) are compiled; every other
 * part is handed to zod as it stands, so the result never differs from zod's.
 */
export type PayloadValidator = (payload: unknown) => Record<string, unknown> | undefined;

interface CheckDef {
  check: string;
  minimum?: number;
  maximum?: number;
  length?: number;
  value?: number;
  inclusive?: boolean;
  format?: string;
}
interface SchemaDef {
  type: string;
  coerce?: boolean;
  format?: string;
  pattern?: RegExp;
  checks?: { _zod: { def: CheckDef } }[];
  shape?: Record<string, Schema>;
  catchall?: Schema;
  innerType?: Schema;
  element?: Schema;
  entries?: Record<string, string | number>;
  values?: readonly unknown[];
}
interface Schema {
  _zod: { def: SchemaDef };
  safeParse(value: unknown): { success: boolean; data?: unknown };
}

/** Returned by a compiled node when the value fails or only zod can tell. */
const UNSURE: unique symbol = Symbol('unsure');
type Check = (value: unknown) => unknown;

/** Schemas nested deeper than this are handed to zod below that depth. */
const MAX_DEPTH = 16;

/** Compiles a payload schema; `undefined` when its root is not an object of known keys. */
export function compilePayloadValidator(schema: z.ZodType): PayloadValidator | undefined {
  const root = schema as unknown as Schema;
  if (root._zod.def.type !== 'object' || root._zod.def.checks?.length) return undefined;
  const check = compile(root, 0);
  return (payload) => {
    const out = check(payload);
    return out === UNSURE ? undefined : (out as Record<string, unknown>);
  };
}

function compile(schema: Schema, depth: number): Check {
  const def = schema._zod.def;
  if (depth >= MAX_DEPTH) return byZod(schema);
  switch (def.type) {
    case 'string':
      return stringCheck(schema);
    case 'number':
      return numberCheck(schema);
    case 'boolean':
      return plain(def) ? (v) => (typeof v === 'boolean' ? v : UNSURE) : byZod(schema);
    case 'null':
      return plain(def) ? (v) => (v === null ? v : UNSURE) : byZod(schema);
    case 'unknown':
    case 'any':
      return plain(def) ? (v) => v : byZod(schema);
    case 'enum':
    case 'literal':
      return memberCheck(schema);
    case 'optional': {
      if (!plain(def)) return byZod(schema);
      const inner = compile(def.innerType!, depth + 1);
      return (v) => (v === undefined ? undefined : inner(v));
    }
    case 'nullable': {
      if (!plain(def)) return byZod(schema);
      const inner = compile(def.innerType!, depth + 1);
      return (v) => (v === null ? null : inner(v));
    }
    case 'array':
      return arrayCheck(schema, depth);
    case 'object':
      return objectCheck(schema, depth);
    default:
      return byZod(schema);
  }
}

const plain = (def: SchemaDef): boolean =>
  !def.coerce && (def.checks === undefined || def.checks.length === 0);

/** The part zod parses itself, exactly as it would inside the whole. */
function byZod(schema: Schema): Check {
  return (v) => {
    const result = schema.safeParse(v);
    return result.success ? result.data : UNSURE;
  };
}

function stringCheck(schema: Schema): Check {
  const def = schema._zod.def;
  if (def.coerce || def.format !== undefined || def.pattern !== undefined) return byZod(schema);
  let min = 0;
  let max = Number.POSITIVE_INFINITY;
  for (const { _zod } of def.checks ?? []) {
    const c = _zod.def;
    if (c.check === 'min_length') min = Math.max(min, c.minimum!);
    else if (c.check === 'max_length') max = Math.min(max, c.maximum!);
    else if (c.check === 'length_equals') {
      min = Math.max(min, c.length!);
      max = Math.min(max, c.length!);
    } else return byZod(schema);
  }
  // zod counts code points; a length in UTF-16 units settles it unless surrogates could matter
  return (v) => {
    if (typeof v !== 'string') return UNSURE;
    const units = v.length;
    if (units < min) return UNSURE;
    if (units <= max && units >= 2 * min) return v;
    const points = codePoints(v);
    return points >= min && points <= max ? v : UNSURE;
  };
}

/** Code points in a string, a lone surrogate counting as one. */
function codePoints(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++, count++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
  }
  return count;
}

function numberCheck(schema: Schema): Check {
  const def = schema._zod.def;
  if (def.coerce || def.format !== undefined) return byZod(schema);
  let integer = false;
  let low = Number.NEGATIVE_INFINITY;
  let lowInclusive = true;
  let high = Number.POSITIVE_INFINITY;
  let highInclusive = true;
  for (const { _zod } of def.checks ?? []) {
    const c = _zod.def;
    if (c.check === 'number_format' && c.format === 'safeint') integer = true;
    else if (c.check === 'greater_than' && c.value! >= low) {
      lowInclusive = c.value === low ? lowInclusive && c.inclusive! : c.inclusive!;
      low = c.value!;
    } else if (c.check === 'less_than' && c.value! <= high) {
      highInclusive = c.value === high ? highInclusive && c.inclusive! : c.inclusive!;
      high = c.value!;
    } else if (c.check !== 'greater_than' && c.check !== 'less_than') return byZod(schema);
  }
  return (v) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) return UNSURE;
    if (integer && !Number.isSafeInteger(v)) return UNSURE;
    if (lowInclusive ? v < low : v <= low) return UNSURE;
    if (highInclusive ? v > high : v >= high) return UNSURE;
    return v;
  };
}

function memberCheck(schema: Schema): Check {
  const def = schema._zod.def;
  if (!plain(def)) return byZod(schema);
  const members = new Set<unknown>(def.type === 'enum' ? Object.values(def.entries ?? {}) : def.values);
  return (v) => (members.has(v) ? v : UNSURE);
}

function arrayCheck(schema: Schema, depth: number): Check {
  const def = schema._zod.def;
  if (!plain(def)) return byZod(schema);
  const element = compile(def.element!, depth + 1);
  return (v) => {
    if (!Array.isArray(v)) return UNSURE;
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) {
      const item = element(v[i]);
      if (item === UNSURE) return UNSURE;
      out[i] = item;
    }
    return out;
  };
}

interface Field {
  key: string;
  check: Check;
  optional: boolean;
}

/**
 * Strict objects (unknown keys make zod fail) and stripping objects (unknown keys are left out of
 * the copy); any other catchall, and keys an object inherits, are zod's to judge.
 */
function objectCheck(schema: Schema, depth: number): Check {
  const def = schema._zod.def;
  const catchall = def.catchall?._zod.def.type;
  if (!plain(def) || (catchall !== undefined && catchall !== 'never')) return byZod(schema);
  const strict = catchall === 'never';
  const keys = Object.keys(def.shape!);
  if (keys.some((key) => key in Object.prototype)) return byZod(schema);
  const fields: Field[] = keys.map((key) => ({
    key,
    check: compile(def.shape![key]!, depth + 1),
    optional: def.shape![key]!._zod.def.type === 'optional',
  }));
  return (v) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return UNSURE;
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) return UNSURE;
    const input = v as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    let present = 0;
    for (let i = 0; i < fields.length; i++) {
      const { key, check, optional } = fields[i]!;
      const value = input[key];
      if (value === undefined && !(key in input)) {
        if (optional) continue;
        return UNSURE;
      }
      present++;
      const parsed = check(value);
      if (parsed === UNSURE) return UNSURE;
      out[key] = parsed;
    }
    if (strict) {
      let own = 0;
      for (const _ in input) own++;
      if (own !== present) return UNSURE;
    }
    return out;
  };
}
