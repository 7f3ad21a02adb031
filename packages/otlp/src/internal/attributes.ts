import { toHex } from './hex.js';
import { toSafeNumber } from './int64.js';
import type { AnyValueMessage, KeyValueMessage } from './otlp-message.js';

/** A JSON value converted from an OTLP `AnyValue`. */
export type AttributeValue =
  | string
  | number
  | boolean
  | null
  | AttributeValue[]
  | { [key: string]: AttributeValue };

/** Attributes by key, as plain JSON values. */
export type Attributes = Record<string, AttributeValue>;

/** Bounds on attributes kept in a payload: they come from other processes and may be hostile. */
export const ATTRIBUTE_LIMITS = { maxKeys: 256, maxStringChars: 16_384, maxDepth: 8, maxItems: 256 } as const;

const MARK = '…[truncated]';

/** Converts an `AnyValue`; strings over the limit are cut and marked, nesting and lists bounded. */
export function anyValue(value: AnyValueMessage | null | undefined, depth = 0): AttributeValue {
  if (!value) return null;
  switch (value.value) {
    case 'stringValue':
      return boundString(value.stringValue ?? '');
    case 'boolValue':
      return value.boolValue === true;
    case 'intValue':
      return toSafeNumber(value.intValue);
    case 'doubleValue': {
      const n = value.doubleValue ?? 0;
      return Number.isFinite(n) ? n : String(n);
    }
    case 'bytesValue':
      return boundString(toHex(value.bytesValue));
    case 'arrayValue':
      if (depth >= ATTRIBUTE_LIMITS.maxDepth) return MARK;
      return (value.arrayValue?.values ?? [])
        .slice(0, ATTRIBUTE_LIMITS.maxItems)
        .map((v) => anyValue(v, depth + 1));
    case 'kvlistValue':
      if (depth >= ATTRIBUTE_LIMITS.maxDepth) return MARK;
      return attributes(value.kvlistValue?.values, depth + 1);
    default:
      return null;
  }
}

/** Converts a list of key-values into an object (at most `maxKeys`; a repeated key keeps the last). */
export function attributes(list: readonly KeyValueMessage[] | undefined, depth = 0): Attributes {
  const out: Attributes = {};
  if (!list) return out;
  const n = Math.min(list.length, ATTRIBUTE_LIMITS.maxKeys);
  for (let i = 0; i < n; i++) {
    const kv = list[i]!;
    if (typeof kv.key !== 'string' || kv.key === '' || kv.key === '__proto__') continue;
    out[kv.key.length > 256 ? kv.key.slice(0, 256) : kv.key] = anyValue(kv.value, depth);
  }
  return out;
}

function boundString(text: string): string {
  return text.length > ATTRIBUTE_LIMITS.maxStringChars
    ? text.slice(0, ATTRIBUTE_LIMITS.maxStringChars) + MARK
    : text;
}

/** Converts OpenTelemetry API attributes (`string | number | boolean` or arrays of them), bounded the same way. */
export function plainAttributes(input: Readonly<Record<string, unknown>> | undefined): Attributes {
  const out: Attributes = {};
  if (!input) return out;
  let n = 0;
  for (const [key, value] of Object.entries(input)) {
    if (n++ >= ATTRIBUTE_LIMITS.maxKeys) break;
    if (key === '' || key === '__proto__') continue;
    out[key.length > 256 ? key.slice(0, 256) : key] = plainValue(value);
  }
  return out;
}

function plainValue(value: unknown): AttributeValue {
  if (typeof value === 'string') return boundString(value);
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (Array.isArray(value))
    return value.slice(0, ATTRIBUTE_LIMITS.maxItems).map((v) => (Array.isArray(v) ? null : plainValue(v)));
  return null;
}
