import type { z } from 'zod';

/**
 * A payload checked and copied by straight-line code compiled from its zod schema: what
 * `schema.safeParse(payload).data` would be when that is certain, `undefined` when not (the value
 * fails, or the check cannot tell), and the caller then asks zod, which also words the error.
 * Only the parts of a schema whose meaning is plain (strings with length, regex and `.refine`
 * checks, numbers with integer and range checks, enums, literals, `z.custom`, optional, nonoptional
 * and nullable, arrays, strict or stripping objects, records of plain string keys) are compiled; every other part is handed to zod
 * as it stands, so the result never differs from zod's.
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
  pattern?: RegExp;
  /** A refinement's predicate (`.refine(fn)`; `superRefine` has none). */
  fn?: (value: unknown) => unknown;
  when?: unknown;
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
  keyType?: Schema;
  valueType?: Schema;
  mode?: string;
  entries?: Record<string, string | number>;
  values?: readonly unknown[];
  fn?: (value: unknown) => unknown;
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

/** How objects are checked: generated code (the default) or a loop (where code generation is refused). */
export interface CompileOptions {
  generate?: boolean;
}

/** Compiles a payload schema; `undefined` when its root is not an object of known keys. */
export function compilePayloadValidator(
  schema: z.ZodType,
  options: CompileOptions = {},
): PayloadValidator | undefined {
  const root = schema as unknown as Schema;
  if (root._zod.def.type !== 'object' || root._zod.def.checks?.length) return undefined;
  const check = compile(root, 0, options.generate ?? true);
  return (payload) => {
    const out = check(payload);
    return out === UNSURE ? undefined : (out as Record<string, unknown>);
  };
}

function compile(schema: Schema, depth: number, generate: boolean): Check {
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
      const inner = compile(def.innerType!, depth + 1, generate);
      return (v) => (v === undefined ? undefined : inner(v));
    }
    case 'nonoptional': {
      if (!plain(def)) return byZod(schema);
      const inner = compile(def.innerType!, depth + 1, generate);
      return (v) => (v === undefined ? UNSURE : inner(v));
    }
    case 'nullable': {
      if (!plain(def)) return byZod(schema);
      const inner = compile(def.innerType!, depth + 1, generate);
      return (v) => (v === null ? null : inner(v));
    }
    case 'custom':
      return customCheck(schema);
    case 'array':
      return arrayCheck(schema, depth, generate);
    case 'object':
      return objectCheck(schema, depth, generate);
    case 'record':
      return recordCheck(schema, depth, generate);
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
  // patterns and refinements in their declared order, after the lengths
  const tests: ((text: string) => boolean)[] = [];
  for (const { _zod } of def.checks ?? []) {
    const c = _zod.def;
    if (c.check === 'string_format' && c.format === 'regex' && c.pattern instanceof RegExp) {
      const pattern = c.pattern;
      tests.push((text) => {
        pattern.lastIndex = 0;
        return pattern.test(text);
      });
    } else if (c.check === 'custom' && typeof c.fn === 'function' && c.when === undefined) {
      const fn = c.fn;
      tests.push((text) => {
        const verdict = fn(text);
        return Boolean(verdict) && !(verdict instanceof Promise);
      });
    } else if (c.check === 'min_length') min = Math.max(min, c.minimum!);
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
    if (units > max || units < 2 * min) {
      const points = codePoints(v);
      if (points < min || points > max) return UNSURE;
    }
    for (let i = 0; i < tests.length; i++) if (!tests[i]!(v)) return UNSURE;
    return v;
  };
}

/** `z.custom(fn)`: the value as it is when `fn` says yes (a promise, zod's to refuse). */
function customCheck(schema: Schema): Check {
  const def = schema._zod.def;
  const fn = def.fn;
  if (typeof fn !== 'function' || !plain(def)) return byZod(schema);
  return (v) => {
    const verdict = fn(v);
    return verdict && !(verdict instanceof Promise) ? v : UNSURE;
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

function arrayCheck(schema: Schema, depth: number, generate: boolean): Check {
  const def = schema._zod.def;
  if (!plain(def)) return byZod(schema);
  const element = compile(def.element!, depth + 1, generate);
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

/**
 * `z.record(z.string(), value)`: an object of the plain kind (its prototype `Object.prototype` or
 * none, no own `constructor`, `__proto__` or symbol key, every own key enumerable) is copied key by
 * key through the value's check; any other object, and any other key schema, is zod's to judge.
 */
function recordCheck(schema: Schema, depth: number, generate: boolean): Check {
  const def = schema._zod.def;
  const key = def.keyType?._zod.def;
  const plainKey =
    key?.type === 'string' && plain(key) && key.format === undefined && key.pattern === undefined;
  if (!plain(def) || !plainKey || (def.mode !== undefined && def.mode !== 'strict')) return byZod(schema);
  const value = compile(def.valueType!, depth + 1, generate);
  return (v) => {
    if (!isPlainObject(v) || Object.hasOwn(v, 'constructor') || Object.hasOwn(v, '__proto__')) return UNSURE;
    const keys = Object.keys(v);
    if (Reflect.ownKeys(v).length !== keys.length) return UNSURE;
    const out: Record<string, unknown> = {};
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      const parsed = value(v[k]);
      if (parsed === UNSURE) return UNSURE;
      out[k] = parsed;
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
function objectCheck(schema: Schema, depth: number, generate: boolean): Check {
  const def = schema._zod.def;
  const catchall = def.catchall?._zod.def.type;
  if (!plain(def) || (catchall !== undefined && catchall !== 'never')) return byZod(schema);
  const keys = Object.keys(def.shape!);
  if (keys.some((key) => key in Object.prototype)) return byZod(schema);
  const fields: Field[] = keys.map((key) => ({
    key,
    check: compile(def.shape![key]!, depth + 1, generate),
    optional: def.shape![key]!._zod.def.type === 'optional',
  }));
  const strict = catchall === 'never';
  const withUndefined = undefinedValues(fields, strict);
  return (
    (generate ? generatedObjectCheck(fields, withUndefined) : undefined) ?? objectLoop(fields, withUndefined)
  );
}

/** The rest of an object's check when it has keys that hold `undefined` (zod keeps them) or keys its shape lacks. */
type UndefinedValues = (
  input: Record<string, unknown>,
  out: Record<string, unknown>,
  defined: number,
  own: number,
) => unknown;

function undefinedValues(fields: readonly Field[], strict: boolean): UndefinedValues {
  return (input, out, defined, own) => {
    let present = defined;
    for (const { key, optional } of fields) {
      if (input[key] !== undefined || !(key in input)) continue;
      if (!optional) return UNSURE;
      out[key] = undefined;
      present++;
    }
    return strict && own !== present ? UNSURE : out;
  };
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

/**
 * The object check as straight-line code, each key read by name (so each read site learns the
 * input's shape); `undefined` when the runtime refuses code generation.
 */
function generatedObjectCheck(fields: readonly Field[], rest: UndefinedValues): Check | undefined {
  const lines = fields.map(({ key, optional }, i) => {
    const name = JSON.stringify(key);
    return [
      `x = v[${name}];`,
      `if (x !== undefined) { defined++; x = c${i}(x); if (x === UNSURE) return UNSURE; out[${name}] = x; }`,
      optional ? '' : `else if (!(${name} in v)) return UNSURE;`,
    ].join('\n');
  });
  const body = [
    'if (!isPlainObject(v)) return UNSURE;',
    'const out = {};',
    'let defined = 0;',
    'let x;',
    ...lines,
    'let own = 0;',
    'for (const _ in v) own++;',
    'return own === defined ? out : rest(v, out, defined, own);',
  ].join('\n');
  try {
    const factory = new Function(
      'UNSURE',
      'isPlainObject',
      'rest',
      ...fields.map((_, i) => `c${i}`),
      `return function checkObject(v) {\n${body}\n};`,
    ) as (...helpers: unknown[]) => Check;
    return factory(UNSURE, isPlainObject, rest, ...fields.map((f) => f.check));
  } catch {
    return undefined;
  }
}

/** The same check as a loop over the fields, where code generation is refused. */
function objectLoop(fields: readonly Field[], rest: UndefinedValues): Check {
  return (v) => {
    if (!isPlainObject(v)) return UNSURE;
    const out: Record<string, unknown> = {};
    let defined = 0;
    for (let i = 0; i < fields.length; i++) {
      const { key, check, optional } = fields[i]!;
      const value = v[key];
      if (value === undefined) {
        if (!optional && !(key in v)) return UNSURE;
        continue;
      }
      defined++;
      const parsed = check(value);
      if (parsed === UNSURE) return UNSURE;
      out[key] = parsed;
    }
    let own = 0;
    for (const _ in v) own++;
    return own === defined ? out : rest(v, out, defined, own);
  };
}
