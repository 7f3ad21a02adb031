import type { z } from 'zod';
import { canonicalJson } from './canonical-json.js';
import { jsonNumber, jsonString, needsEscape } from './json-text.js';

/**
 * The canonical JSON of a payload parsed by the schema it was compiled from, byte for byte what
 * `canonicalJson` gives; `undefined` when the value is not of the shape the schema promises (a
 * redacted number, say), and the caller then takes the generic path. The text is built with `+`
 * (a rope that the file write flattens once), which measured cheaper than joining parts.
 */
export type PayloadSerializer = (payload: Record<string, unknown>) => string | undefined;

interface SchemaDef {
  type: string;
  shape?: Record<string, Schema>;
  catchall?: Schema;
  innerType?: Schema;
  element?: Schema;
}
interface Schema {
  _zod: { def: SchemaDef };
}

/** Schemas nested deeper than this are serialized by the generic path below that depth. */
const MAX_DEPTH = 16;
/** Wrappers whose output is their inner schema's output (or, for `catch`, a value checked like it). */
const TRANSPARENT = new Set(['optional', 'default', 'prefault', 'readonly', 'nonoptional', 'catch']);

/** Canonical JSON of a value of unknown shape: scalars at once, objects and arrays by `canonicalJson`. */
function anyJson(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return jsonString(value);
    case 'number':
      return jsonNumber(value);
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      return value === null ? 'null' : canonicalJson(value);
  }
}

/**
 * Compiles a payload schema into a serializer, in the manner of fast-json-stringify: the object
 * shapes are unrolled into straight-line code with their keys in sorted order, scalars are checked
 * and written directly, and what the schema leaves open (`unknown`, records, unions) goes through
 * `canonicalJson`. `undefined` when the schema's output is not an object with a fixed set of keys,
 * or when the runtime refuses code generation.
 */
export function compilePayloadSerializer(schema: z.ZodType): PayloadSerializer | undefined {
  const root = unwrap(schema as unknown as Schema);
  if (!isClosedObject(root._zod.def)) return undefined;
  const body = new Generator().value(root, 'payload', 0);
  try {
    const factory = new Function(
      'needsEscape',
      'jsonNumber',
      'anyJson',
      `return function serializePayload(payload) {\nlet out = '';\n${body}\nreturn out;\n};`,
    ) as (...helpers: unknown[]) => PayloadSerializer;
    return factory(needsEscape, jsonNumber, anyJson);
  } catch {
    return undefined;
  }
}

function unwrap(schema: Schema): Schema {
  let current = schema;
  while (TRANSPARENT.has(current._zod.def.type) && current._zod.def.innerType !== undefined) {
    current = current._zod.def.innerType;
  }
  return current;
}

/** An object whose output holds only its shape's keys: strict, or stripping unknown keys. */
function isClosedObject(def: SchemaDef): boolean {
  if (def.type !== 'object' || def.shape === undefined) return false;
  if (def.catchall !== undefined && def.catchall._zod.def.type !== 'never') return false;
  // keys that plain property access or JSON.stringify treat specially stay with the generic path
  return !Object.hasOwn(def.shape, '__proto__') && !Object.hasOwn(def.shape, 'toJSON');
}

const js = (text: string) => JSON.stringify(text);

/** Where a value goes: the code of what precedes it (a key, a comma) and whether it may be left out. */
interface Slot {
  /** A JavaScript expression: the text before the value, ending in `suffix`. */
  before(suffix: string): string;
  /** Statement run once the value is pushed (clears an object's first-key flag). */
  after: string;
  /** In an object a value JSON cannot hold drops its key; in an array it is written `null`. */
  inObject: boolean;
}

const ROOT: Slot = { before: js, after: '', inObject: false };

/** Emits JavaScript statements that append the JSON of a value to `out`, or `return undefined` from the serializer on a mismatch. */
class Generator {
  #next = 0;

  #name(prefix: string): string {
    return `${prefix}${this.#next++}`;
  }

  /** Statements for `input` (an expression naming a value that is not `undefined`). */
  value(schema: Schema, input: string, depth: number, slot: Slot = ROOT): string {
    const def = unwrap(schema)._zod.def;
    const push = (code: string) => `{\nout += ${slot.before('')} + (${code});${slot.after}\n}`;
    if (depth >= MAX_DEPTH) return this.#generic(input, slot);
    switch (def.type) {
      case 'string':
        return `if (typeof ${input} !== 'string') return undefined;\n${this.#string(input, slot)}`;
      case 'number':
        return `if (typeof ${input} !== 'number') return undefined;\n${push(`jsonNumber(${input})`)}`;
      case 'boolean':
        return `if (typeof ${input} !== 'boolean') return undefined;\n${push(`${input} ? 'true' : 'false'`)}`;
      case 'null':
        return `if (${input} !== null) return undefined;\n${push("'null'")}`;
      case 'nullable':
        return `if (${input} === null) {\n${push("'null'")}\n} else {\n${this.value(def.innerType!, input, depth + 1, slot)}\n}`;
      case 'array':
        return this.#array(def.element!, input, depth, slot);
      case 'object':
        if (isClosedObject(def)) return this.#object(def.shape!, input, depth, slot);
        return this.#generic(input, slot);
      default:
        return this.#generic(input, slot);
    }
  }

  #string(input: string, slot: Slot): string {
    return [
      `if (needsEscape(${input})) {\nout += ${slot.before('')} + JSON.stringify(${input});${slot.after}\n}`,
      `else {\nout += ${slot.before('"')} + ${input} + '"';${slot.after}\n}`,
    ].join('\n');
  }

  /** `anyJson` says `undefined` for a function or a symbol: JSON.stringify drops such a key, or writes `null` in an array. */
  #generic(input: string, slot: Slot): string {
    const text = this.#name('t');
    const missing = slot.inObject ? '' : `\nelse {\nout += ${slot.before('')} + 'null';${slot.after}\n}`;
    return [
      `if (typeof ${input} === 'string') {\n${this.#string(input, slot)}\n} else {`,
      `const ${text} = anyJson(${input});`,
      `if (${text} !== undefined) {\nout += ${slot.before('')} + ${text};${slot.after}\n}${missing}`,
      '}',
    ].join('\n');
  }

  #object(shape: Record<string, Schema>, input: string, depth: number, slot: Slot): string {
    const first = this.#name('f');
    const lines = [
      `if (typeof ${input} !== 'object' || ${input} === null || Array.isArray(${input})) return undefined;`,
      `out += ${slot.before('{')};${slot.after}`,
      `let ${first} = true;`,
    ];
    for (const key of Object.keys(shape).sort()) {
      const item = this.#name('v');
      const quoted = js(key);
      const keySlot: Slot = {
        before: (suffix) => `(${first} ? ${js(`${quoted}:${suffix}`)} : ${js(`,${quoted}:${suffix}`)})`,
        after: ` ${first} = false;`,
        inObject: true,
      };
      lines.push(
        `const ${item} = ${input}[${quoted}];`,
        `if (${item} !== undefined) {`,
        this.value(shape[key]!, item, depth + 1, keySlot),
        '}',
      );
    }
    lines.push("out += '}';");
    return lines.join('\n');
  }

  #array(element: Schema, input: string, depth: number, slot: Slot): string {
    const index = this.#name('i');
    const item = this.#name('e');
    const itemSlot: Slot = {
      before: (suffix) => `(${index} === 0 ? ${js(suffix)} : ${js(`,${suffix}`)})`,
      after: '',
      inObject: false,
    };
    return [
      `if (!Array.isArray(${input})) return undefined;`,
      `out += ${slot.before('[')};${slot.after}`,
      `for (let ${index} = 0; ${index} < ${input}.length; ${index}++) {`,
      `const ${item} = ${input}[${index}];`,
      `if (${item} === undefined) out += ${itemSlot.before('null')};`,
      `else {\n${this.value(element, item, depth + 1, itemSlot)}\n}`,
      '}',
      "out += ']';",
    ].join('\n');
  }
}
