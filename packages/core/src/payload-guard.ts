import { ObsValidationError } from './errors.js';
import { jsonBytes, setOwn, truncateToBytes } from './payload-truncation.js';

/** How payloads are scrubbed and bounded before they are enqueued. */
export interface PayloadGuardOptions {
  /** Extra key names (case- and `_`/`-`-insensitive) whose values are always redacted. */
  redactKeys?: readonly string[];
  /** Dotted payload paths whose values are always redacted, like `input.headers.x-api-key`. */
  redactPaths?: readonly string[];
  /** Scan string values for API keys, bearer tokens and JWTs (default true). */
  redactValues?: boolean;
  /**
   * Upper bound of a payload's serialized size in UTF-8 bytes, whatever its shape; what is cut is
   * marked in place (default 256 KiB).
   */
  maxPayloadBytes?: number;
}

/** What guarding one payload did. */
export interface GuardResult {
  payload: Record<string, unknown>;
  redacted: number;
  /** 1 when the payload was cut to fit `maxPayloadBytes`, else 0. */
  truncated: number;
}

/** The text that replaces a redacted value or secret. */
export const REDACTED = '[REDACTED]';
const MAX_DEPTH = 64;
const SECRET_KEY =
  /(password|passwd|passphrase|secret|apikey|accesskey|privatekey|authorization|credential|cookie|bearer)s?$|token$/;
const SECRET_VALUE =
  /\b(?:sk|pk|rk)-[A-Za-z0-9_-]{16,}|\bBearer\s+[A-Za-z0-9._~+/=-]{12,}|\bAKIA[0-9A-Z]{16}\b|\bgh[pousr]_[A-Za-z0-9]{30,}|\bxox[abpr]-[A-Za-z0-9-]{10,}|\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/;
const SECRET_VALUE_GLOBAL = new RegExp(SECRET_VALUE.source, 'g');
/** The shortest text {@link SECRET_VALUE} can match (`xox?-` and ten more). */
const SECRET_VALUE_MIN_LENGTH = 15;

const normalizeKey = (key: string): string => key.toLowerCase().replace(/[-_\s]/g, '');

/** Redacts secrets, rejects values JSON cannot hold, and truncates oversized payloads. */
export class PayloadGuard {
  readonly #extraKeys: ReadonlySet<string>;
  readonly #paths: ReadonlySet<string>;
  readonly #scanValues: boolean;
  readonly #maxBytes: number;
  readonly #keyCache = new Map<string, boolean>();

  constructor(options: PayloadGuardOptions = {}) {
    this.#extraKeys = new Set((options.redactKeys ?? []).map(normalizeKey));
    this.#paths = new Set(options.redactPaths ?? []);
    this.#scanValues = options.redactValues ?? true;
    this.#maxBytes = options.maxPayloadBytes ?? 256 * 1024;
  }

  /** Returns a guarded payload; the input is never mutated (changed branches are copied). */
  guard(payload: Record<string, unknown>): GuardResult {
    const state: WalkState = { redacted: 0, bytes: 0, path: [] };
    const out = this.#walk(payload, 0, state) as Record<string, unknown>;
    // The walk's estimate counts characters; escapes and UTF-8 make the real size at most 6× that.
    if (state.bytes * 6 <= this.#maxBytes || jsonBytes(out) <= this.#maxBytes) {
      return { payload: out, redacted: state.redacted, truncated: 0 };
    }
    const cut = truncateToBytes(out, this.#maxBytes) as Record<string, unknown>;
    return { payload: cut, redacted: state.redacted, truncated: 1 };
  }

  #walk(value: unknown, depth: number, state: WalkState): unknown {
    switch (typeof value) {
      case 'string':
        state.bytes += value.length + 3;
        if (this.#scanValues && value.length >= SECRET_VALUE_MIN_LENGTH && SECRET_VALUE.test(value)) {
          state.redacted++;
          return value.replace(SECRET_VALUE_GLOBAL, REDACTED);
        }
        return value;
      case 'number':
      case 'boolean':
        state.bytes += 8;
        return value;
      case 'bigint':
        throw invalid(state.path, 'a bigint cannot be stored as JSON; convert it to a string or number');
      case 'object':
        if (value === null) {
          state.bytes += 4;
          return value;
        }
        if (depth >= MAX_DEPTH)
          throw invalid(state.path, `nests deeper than ${MAX_DEPTH} levels (or is cyclic)`);
        return Array.isArray(value)
          ? this.#walkArray(value, depth, state)
          : this.#walkObject(value, depth, state);
      default:
        return value;
    }
  }

  #walkArray(values: readonly unknown[], depth: number, state: WalkState): unknown[] {
    let copy: unknown[] | undefined;
    state.bytes += 2;
    for (let i = 0; i < values.length; i++) {
      const item = values[i];
      state.path.push(i);
      const next = this.#walk(item, depth + 1, state);
      state.path.pop();
      if (next !== item) {
        copy ??= values.slice();
        copy[i] = next;
      }
    }
    return copy ?? (values as unknown[]);
  }

  #walkObject(object: object, depth: number, state: WalkState): unknown {
    if (typeof (object as { toJSON?: unknown }).toJSON === 'function') {
      // What JSON would store (a Date's string, a Buffer's bytes) is what gets redacted and measured.
      return this.#walk((object as { toJSON: () => unknown }).toJSON(), depth + 1, state);
    }
    let copy: Record<string, unknown> | undefined;
    state.bytes += 2;
    for (const key of Object.keys(object)) {
      const item = (object as Record<string, unknown>)[key];
      state.bytes += key.length + 4;
      state.path.push(key);
      let next: unknown;
      if (item !== undefined && item !== null && this.#isSecretKey(key, state.path)) {
        state.redacted++;
        next = REDACTED;
      } else {
        next = this.#walk(item, depth + 1, state);
      }
      state.path.pop();
      if (next !== item) {
        copy ??= { ...object };
        setOwn(copy, key, next);
      }
    }
    return copy ?? object;
  }

  #isSecretKey(key: string, path: readonly (string | number)[]): boolean {
    if (this.#paths.size > 0 && this.#paths.has(path.join('.'))) return true;
    let secret = this.#keyCache.get(key);
    if (secret === undefined) {
      const normalized = normalizeKey(key);
      secret = SECRET_KEY.test(normalized) || this.#extraKeys.has(normalized);
      if (this.#keyCache.size < 4096) this.#keyCache.set(key, secret);
    }
    return secret;
  }
}

interface WalkState {
  redacted: number;
  bytes: number;
  /** Keys and indexes down to the value being walked, joined only when a message or a path rule needs them. */
  path: (string | number)[];
}

const invalid = (path: readonly (string | number)[], message: string) =>
  new ObsValidationError('payload', [{ path: ['payload', ...path].join('.'), message }]);
