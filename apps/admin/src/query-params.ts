import { HttpError, type RequestIssue } from './http-error.js';

/** How one query parameter is read and checked. */
export type ParamSpec =
  | { kind: 'text'; max?: number }
  | { kind: 'int'; min: number; max: number }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'time' }
  | { kind: 'list'; max?: number };

type ValueOf<S extends ParamSpec> = S extends { kind: 'int' }
  ? number
  : S extends { kind: 'list' }
    ? string[]
    : S extends { kind: 'enum'; values: readonly (infer V)[] }
      ? V
      : string;

/** The parsed parameters of a spec: each one present only when the request gave it. */
export type ParsedParams<S extends Record<string, ParamSpec>> = { [K in keyof S]?: ValueOf<S[K]> };

const DEFAULT_TEXT_MAX = 1024;

/**
 * Reads the query parameters `spec` names and rejects the request (400) when one is unknown,
 * repeated where it may not be, or not of the expected form; every problem is listed.
 */
export function parseParams<S extends Record<string, ParamSpec>>(
  params: URLSearchParams,
  spec: S,
): ParsedParams<S> {
  const issues: RequestIssue[] = [];
  const out: Record<string, unknown> = {};
  const names = new Set(params.keys());
  for (const name of names) {
    const rule = spec[name];
    if (!rule) {
      const known = Object.keys(spec).join(', ') || 'none';
      issues.push({ param: name, message: `unknown parameter; expected one of: ${known}` });
      continue;
    }
    const values = params.getAll(name);
    if (rule.kind === 'list') {
      const items = values.flatMap((v) => v.split(',')).filter((v) => v.length > 0);
      const max = rule.max ?? 100;
      if (items.length > max) issues.push({ param: name, message: `expected at most ${max} values` });
      else if (items.some((v) => v.length > 256))
        issues.push({ param: name, message: 'a value is too long' });
      else out[name] = items;
      continue;
    }
    if (values.length > 1) {
      issues.push({ param: name, message: 'given more than once; expected a single value' });
      continue;
    }
    const result = parseOne(values[0] ?? '', rule);
    if (typeof result === 'object') issues.push({ param: name, message: result.error });
    else out[name] = result;
  }
  if (issues.length > 0) {
    const summary = issues.map((i) => `${i.param}: ${i.message}`).join('; ');
    throw new HttpError(400, 'INVALID_REQUEST', `invalid query: ${summary}`, issues);
  }
  return out as ParsedParams<S>;
}

function parseOne(
  raw: string,
  rule: Exclude<ParamSpec, { kind: 'list' }>,
): string | number | { error: string } {
  switch (rule.kind) {
    case 'text': {
      const max = rule.max ?? DEFAULT_TEXT_MAX;
      if (raw.length === 0) return { error: 'expected a non-empty value' };
      return raw.length > max ? { error: `expected at most ${max} characters` } : raw;
    }
    case 'int': {
      const n = /^-?\d+$/.test(raw) ? Number(raw) : Number.NaN;
      return Number.isSafeInteger(n) && n >= rule.min && n <= rule.max
        ? n
        : { error: `expected an integer from ${rule.min} to ${rule.max}, got "${clip(raw)}"` };
    }
    case 'enum':
      return rule.values.includes(raw)
        ? raw
        : { error: `expected one of ${rule.values.join(', ')}, got "${clip(raw)}"` };
    case 'time': {
      const ms = /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(raw)
        ? Date.parse(raw)
        : Number.NaN;
      return Number.isFinite(ms)
        ? new Date(ms).toISOString()
        : { error: `expected an ISO 8601 time like 2026-01-02T03:04:05.000Z, got "${clip(raw)}"` };
    }
  }
}

function clip(raw: string): string {
  return raw.length > 40 ? `${raw.slice(0, 40)}…` : raw;
}
