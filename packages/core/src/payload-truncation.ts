/**
 * Bounds the serialized size of a JSON value, whatever its shape: one huge string, many short
 * strings, wide arrays, many keys, deep nesting. Short fields (scalars and short strings) are kept
 * whole, so identifying fields survive; the rest of the budget is shared fairly among the large
 * children. What is cut is marked in place: a string ends with `…[obs:truncated N of M chars]`, an
 * array keeps a prefix followed by `"…[obs:truncated N of M items]"`, an object keeps its first keys
 * and gains `"…[obs:truncated]": "N of M keys"`.
 */

/** Values of at most this many serialized bytes are kept whole while the budget allows. */
const SHORT_BYTES = 128;
/** Room kept for an array's or object's marker. */
const MARKER_BYTES = 64;
/** A string cut shorter than this is replaced by its marker alone. */
const MIN_PREFIX_CHARS = 8;

/** The key of the marker an object gets when keys were cut. */
export const TRUNCATED_KEYS_MARKER = '…[obs:truncated]';

/** Exact UTF-8 size of `JSON.stringify(value)` (what a sink stores). */
export function jsonBytes(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return Buffer.byteLength(JSON.stringify(value));
    case 'number':
    case 'boolean':
      return Buffer.byteLength(JSON.stringify(value));
    case 'object': {
      if (value === null) return 4;
      if (Array.isArray(value)) {
        let total = 2 + Math.max(0, value.length - 1);
        for (const item of value) total += item === undefined ? 4 : jsonBytes(item);
        return total;
      }
      let total = 2;
      let fields = 0;
      for (const [key, item] of Object.entries(value)) {
        if (item === undefined) continue;
        total += jsonBytes(key) + 1 + jsonBytes(item);
        fields++;
      }
      return total + Math.max(0, fields - 1);
    }
    default:
      return 0;
  }
}

/** A copy of `value` whose JSON is at most `budget` bytes (the input is not mutated). */
export function truncateToBytes(value: unknown, budget: number): unknown {
  return fit(value, jsonBytes(value), budget);
}

function fit(value: unknown, size: number, budget: number): unknown {
  if (size <= budget) return value;
  if (typeof value === 'string') return cutString(value, budget);
  if (Array.isArray(value)) return cutArray(value, budget);
  if (typeof value === 'object' && value !== null) return cutObject(value as Record<string, unknown>, budget);
  return value;
}

function cutString(text: string, budget: number): string {
  const marker = (kept: number) => `…[obs:truncated ${text.length - kept} of ${text.length} chars]`;
  let keep = Math.min(text.length, Math.max(0, budget - jsonBytes(marker(0))));
  for (;;) {
    if (keep < MIN_PREFIX_CHARS) return marker(0);
    let prefix = text.slice(0, keep);
    if (/[\uD800-\uDBFF]$/.test(prefix)) prefix = prefix.slice(0, -1);
    const candidate = prefix + marker(prefix.length);
    const over = jsonBytes(candidate) - budget;
    if (over <= 0) return candidate;
    keep = prefix.length - Math.max(1, Math.ceil(over / 3));
  }
}

function cutArray(items: readonly unknown[], budget: number): unknown[] {
  const out: unknown[] = [];
  let used = 2;
  const room = budget - MARKER_BYTES;
  for (const item of items) {
    const size = jsonBytes(item) + (out.length > 0 ? 1 : 0);
    if (used + size <= room) {
      out.push(item);
      used += size;
      continue;
    }
    const left = room - used - (out.length > 0 ? 1 : 0);
    if (left >= SHORT_BYTES && typeof item === 'object' && item !== null) out.push(fit(item, size, left));
    else if (left >= SHORT_BYTES && typeof item === 'string') out.push(cutString(item, left));
    break;
  }
  if (out.length < items.length)
    out.push(`…[obs:truncated ${items.length - out.length} of ${items.length} items]`);
  return out;
}

function cutObject(object: Record<string, unknown>, budget: number): Record<string, unknown> {
  const entries = Object.entries(object).filter(([, v]) => v !== undefined);
  const sized = entries.map(([key, item]) => ({
    key,
    item,
    keyBytes: jsonBytes(key) + 2,
    size: jsonBytes(item),
  }));
  const short = sized.filter((e) => e.size <= SHORT_BYTES);
  const long = sized.filter((e) => e.size > SHORT_BYTES);
  const overhead = 2 + sized.reduce((sum, e) => sum + e.keyBytes, 0);
  const shortBytes = short.reduce((sum, e) => sum + e.size, 0);
  const minimal = long.length * (MARKER_BYTES + 16);
  if (overhead + shortBytes + minimal > budget) return keepFirstKeys(sized, budget);

  const caps = fairShares(
    long.map((e) => e.size),
    budget - overhead - shortBytes,
  );
  const out: Record<string, unknown> = {};
  let next = 0;
  for (const entry of sized) {
    const value = entry.size <= SHORT_BYTES ? entry.item : fit(entry.item, entry.size, caps[next++]!);
    setOwn(out, entry.key, value);
  }
  return out;
}

/** Too many fields for every one to stay: the first ones that fit, then a marker key. */
function keepFirstKeys(
  sized: { key: string; item: unknown; keyBytes: number; size: number }[],
  budget: number,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let used = 2;
  let kept = 0;
  for (const entry of sized) {
    const size = entry.keyBytes + entry.size;
    if (used + size > budget - MARKER_BYTES) break;
    setOwn(out, entry.key, entry.item);
    used += size;
    kept++;
  }
  setOwn(out, TRUNCATED_KEYS_MARKER, `${sized.length - kept} of ${sized.length} keys`);
  return out;
}

/** Water-filling: the largest cap such that every size cut to it fits the budget; small ones stay whole. */
function fairShares(sizes: number[], budget: number): number[] {
  const order = sizes.map((size, i) => ({ size, i })).sort((a, b) => a.size - b.size);
  const caps = new Array<number>(sizes.length);
  let left = budget;
  for (let k = 0; k < order.length; k++) {
    const share = Math.floor(left / (order.length - k));
    const { size, i } = order[k]!;
    caps[i] = Math.min(size, share);
    left -= caps[i]!;
  }
  return caps;
}

/** Sets an own data property even for the key "__proto__" (assignment would change the prototype). */
export function setOwn(object: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
}
