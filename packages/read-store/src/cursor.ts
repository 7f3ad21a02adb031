import { invalidFilter } from './read-store-error.js';

/** What a cursor points after: a list's sort key and tie-breaker, or a tail position. */
export interface CursorPayload {
  /** `e` events page, `r` runs page, `s` sessions page, `t` tail position. */
  k: 'e' | 'r' | 's' | 't';
  /** Backend that made it: `s` SQLite, `j` JSONL, `p` PostgreSQL. */
  b: 's' | 'j' | 'p';
  /** Sort time (epoch ms); absent for tail cursors but PostgreSQL's (there the transaction id). */
  t?: number;
  /** Tie-breaker (SQLite row id / JSONL read ordinal). */
  i: number;
  /** Page order. */
  o?: 'asc' | 'desc';
  /** JSONL tail: per stem, the file and byte offset after the event. */
  p?: Record<string, { file: string; offset: number }>;
}

const BACKEND_NAMES = { s: 'SQLite', j: 'JSONL', p: 'PostgreSQL' } as const;

/** Encodes a cursor as opaque base64url text. */
export function encodeCursor(payload: CursorPayload): string {
  return Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
}

/**
 * Decodes a cursor made by {@link encodeCursor} for the same kind of list and backend; throws
 * `ReadStoreError` `INVALID_FILTER` for anything else (a hand-made, truncated or foreign cursor).
 */
export function decodeCursor(
  text: string,
  expected: { k: CursorPayload['k'] | readonly CursorPayload['k'][]; b: CursorPayload['b'] },
  path = 'cursor',
): CursorPayload {
  let value: unknown;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(text)) throw new Error('not base64url');
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw invalidFilter(path, 'expected a cursor returned by a previous call (this one does not decode)');
  }
  const kinds: readonly string[] = typeof expected.k === 'string' ? [expected.k] : expected.k;
  if (!isPayload(value) || !kinds.includes(value.k)) {
    throw invalidFilter(path, 'expected a cursor returned by a previous call of the same method');
  }
  if (value.b !== expected.b) {
    throw invalidFilter(path, `this cursor was made by the ${BACKEND_NAMES[value.b]} backend`);
  }
  return value;
}

function isPayload(value: unknown): value is CursorPayload {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  if (typeof v['k'] !== 'string' || !(v['b'] === 's' || v['b'] === 'j' || v['b'] === 'p')) return false;
  if (!Number.isSafeInteger(v['i'])) return false;
  if (v['t'] !== undefined && !Number.isSafeInteger(v['t'])) return false;
  if (v['o'] !== undefined && v['o'] !== 'asc' && v['o'] !== 'desc') return false;
  if (v['p'] !== undefined) {
    if (typeof v['p'] !== 'object' || v['p'] === null) return false;
    for (const at of Object.values(v['p'] as Record<string, unknown>)) {
      const a = at as Record<string, unknown> | null;
      if (
        typeof a !== 'object' ||
        a === null ||
        typeof a['file'] !== 'string' ||
        !Number.isSafeInteger(a['offset'])
      )
        return false;
    }
  }
  return true;
}
