import { GENAI_ALIASES, type GenAiField } from '../genai-aliases.js';
import type { Attributes, AttributeValue } from './attributes.js';

/** Attributes some conventions send as flattened lists (`gen_ai.prompt.0.role`, …). */
const FLATTENED = new Set([
  'gen_ai.prompt',
  'gen_ai.completion',
  'llm.input_messages',
  'llm.output_messages',
]);

/** Reads obs fields from span attributes through the alias table, recording which keys it used. */
export class AttributeReader {
  readonly attributes: Attributes;
  /** Keys whose content went into the payload's own fields (left out of `otel.attributes`). */
  readonly consumed = new Set<string>();

  constructor(attributes: Attributes) {
    this.attributes = attributes;
  }

  /** The first alias present; a flattened list (`gen_ai.prompt.0.role`, …) is rebuilt as an array. */
  value(field: GenAiField, consume = false): AttributeValue | undefined {
    for (const key of GENAI_ALIASES[field]) {
      const direct = this.attributes[key];
      if (direct !== undefined && direct !== null && direct !== '') {
        if (consume) this.consumed.add(key);
        return direct;
      }
      if (!FLATTENED.has(key)) continue;
      const flat = this.#flattened(key, consume);
      if (flat !== undefined) return flat;
    }
    return undefined;
  }

  /** A string field (numbers and booleans as text; lists by their first item). */
  string(field: GenAiField, max = 512): string | undefined {
    let v = this.value(field);
    if (Array.isArray(v)) v = v[0];
    if (typeof v === 'number' || typeof v === 'boolean') v = String(v);
    return typeof v === 'string' && v !== '' ? v.slice(0, max) : undefined;
  }

  /** A non-negative integer field (counts). */
  count(field: GenAiField): number | undefined {
    const n = toNumber(this.value(field));
    return n !== undefined && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
  }

  /** A finite number field. */
  number(field: GenAiField): number | undefined {
    return toNumber(this.value(field));
  }

  /** A structured field: JSON text is parsed, anything else kept as it is. */
  json(field: GenAiField): unknown {
    return parseJsonText(this.value(field, true));
  }

  /** Keys of flattened list items by list prefix, built on first use with one pass over the keys. */
  #lists: Map<string, string[]> | undefined;

  #flattened(prefix: string, consume: boolean): AttributeValue[] | undefined {
    if (this.#lists === undefined) {
      this.#lists = new Map();
      for (const key of Object.keys(this.attributes)) {
        const match = /^(.+?)\.\d{1,4}\./.exec(key);
        if (!match || !FLATTENED.has(match[1]!)) continue;
        const keys = this.#lists.get(match[1]!) ?? [];
        keys.push(key);
        this.#lists.set(match[1]!, keys);
      }
    }
    const keys = this.#lists.get(prefix);
    if (keys === undefined) return undefined;
    const out: AttributeValue[] = [];
    for (const key of keys) {
      const match = /^(\d{1,4})\.(.+)$/.exec(key.slice(prefix.length + 1));
      if (!match) continue;
      const index = Number(match[1]);
      const item = (out[index] ?? {}) as Record<string, AttributeValue>;
      item[match[2]!] = this.attributes[key]!;
      out[index] = item;
      if (consume) this.consumed.add(key);
    }
    return out.filter((item) => item !== undefined);
  }
}

function toNumber(value: AttributeValue | undefined): number | undefined {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

/** JSON text (an object or array) parsed; other values unchanged. */
export function parseJsonText(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const t = value.trimStart();
  if (t[0] !== '{' && t[0] !== '[') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
