import { GENAI_ALIASES, type GenAiField } from '../genai-aliases.js';
import type { Attributes, AttributeValue } from './attributes.js';

/** Attributes some conventions send as flattened lists (`gen_ai.prompt.0.role`, …). */
const FLATTENED = new Set([
  'gen_ai.prompt',
  'gen_ai.completion',
  'llm.input_messages',
  'llm.output_messages',
]);

/** Each alias key → the fields it can fill and its rank among their aliases (0 = newest name). */
const ALIAS_INDEX = new Map<string, { field: GenAiField; rank: number }[]>();
for (const [field, keys] of Object.entries(GENAI_ALIASES) as [GenAiField, readonly string[]][]) {
  keys.forEach((key, rank) => {
    const slots = ALIAS_INDEX.get(key) ?? [];
    slots.push({ field, rank });
    ALIAS_INDEX.set(key, slots);
  });
}

const FLAT_ITEM = /^(.+?)\.(\d{1,4})\.(.+)$/;

/** The alias of a field found on a span: its key, its rank, and the flattened list keys when rebuilt. */
interface Found {
  key: string;
  rank: number;
  flat: string[] | undefined;
}

/**
 * Reads obs fields from span attributes through the alias table: one pass over the span's keys finds
 * the newest alias present for every field. Records which keys went into payload fields unchanged
 * (`consumed`), so `otel.attributes` does not carry them twice.
 */
export class AttributeReader {
  readonly attributes: Attributes;
  /** Keys whose content went into the payload's own fields (left out of `otel.attributes`). */
  readonly consumed = new Set<string>();
  readonly #found = new Map<GenAiField, Found>();

  constructor(attributes: Attributes) {
    this.attributes = attributes;
    let lists: Map<string, string[]> | undefined;
    for (const key in attributes) {
      const slots = ALIAS_INDEX.get(key);
      if (slots !== undefined) {
        const direct = attributes[key];
        if (direct !== undefined && direct !== null && direct !== '')
          for (const slot of slots) this.#offer(slot.field, key, slot.rank, undefined);
      }
      const match = FLAT_ITEM.exec(key);
      if (match === null || !FLATTENED.has(match[1]!)) continue;
      lists ??= new Map();
      const keys = lists.get(match[1]!);
      if (keys === undefined) lists.set(match[1]!, [key]);
      else keys.push(key);
    }
    if (lists === undefined) return;
    for (const [prefix, keys] of lists) {
      for (const slot of ALIAS_INDEX.get(prefix) ?? []) this.#offer(slot.field, prefix, slot.rank, keys);
    }
  }

  #offer(field: GenAiField, key: string, rank: number, flat: string[] | undefined): void {
    const held = this.#found.get(field);
    if (held === undefined || rank < held.rank) this.#found.set(field, { key, rank, flat });
  }

  /** The first alias present; a flattened list (`gen_ai.prompt.0.role`, …) is rebuilt as an array. */
  value(field: GenAiField): AttributeValue | undefined {
    const found = this.#found.get(field);
    if (found === undefined) return undefined;
    return found.flat === undefined ? this.attributes[found.key] : this.#rebuild(found);
  }

  /** A string field (numbers and booleans as text; lists by their first item). */
  string(field: GenAiField, max = 512): string | undefined {
    const raw = this.value(field);
    let v = raw;
    if (Array.isArray(v)) v = v[0];
    if (typeof v === 'number' || typeof v === 'boolean') v = String(v);
    if (typeof v !== 'string' || v === '') return undefined;
    if (typeof raw === 'string' && raw.length <= max) this.#consume(field);
    return v.length > max ? v.slice(0, max) : v;
  }

  /** A non-negative integer field (counts). */
  count(field: GenAiField): number | undefined {
    const raw = this.value(field);
    const n = toNumber(raw);
    if (n === undefined || !Number.isSafeInteger(n) || n < 0) return undefined;
    if (typeof raw === 'number') this.#consume(field);
    return n;
  }

  /** A finite number field, at least `min` (else undefined, and the attribute stays in `otel.attributes`). */
  number(field: GenAiField, min = Number.NEGATIVE_INFINITY): number | undefined {
    const raw = this.value(field);
    const n = toNumber(raw);
    if (n === undefined || n < min) return undefined;
    if (typeof raw === 'number') this.#consume(field);
    return n;
  }

  /** A structured field: JSON text is parsed, anything else kept as it is. */
  json(field: GenAiField): unknown {
    const raw = this.value(field);
    if (raw !== undefined) this.#consume(field);
    return parseJsonText(raw);
  }

  #consume(field: GenAiField): void {
    const found = this.#found.get(field)!;
    if (found.flat === undefined) this.consumed.add(found.key);
    else for (const key of found.flat) this.consumed.add(key);
  }

  #rebuild(found: Found): AttributeValue[] {
    const out: AttributeValue[] = [];
    const skip = found.key.length + 1;
    for (const key of found.flat!) {
      const rest = key.slice(skip);
      const dot = rest.indexOf('.');
      const index = Number(rest.slice(0, dot));
      const item = (out[index] ?? {}) as Record<string, AttributeValue>;
      item[rest.slice(dot + 1)] = this.attributes[key]!;
      out[index] = item;
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
