import { AUDIT_LEVELS, type AuditLevel, type Envelope, globsToRegExp } from '@obs/core';
import { z } from 'zod';

const id = z.string().min(1).max(256);
const list = <T extends z.ZodType>(item: T) => z.array(item).min(1).max(100).optional();

/** Zod schema of a subscription filter; every given field must match, an empty filter matches all. */
export const StreamFilterSchema = z.strictObject({
  /** Events of any of these runs. */
  run_ids: list(id),
  /** Events of any of these sessions. */
  session_ids: list(id),
  /** Event type globs: `*` matches any run of characters (`llm.*`, `*.failed`). */
  types: list(
    z
      .string()
      .max(128)
      .regex(/^[a-z0-9_.*]+$/, 'expected an event type glob of [a-z0-9_.*] like "tool.*"'),
  ),
  /** Any of these audit levels. */
  audit_levels: list(z.enum(AUDIT_LEVELS)),
});

/** Which events a subscriber receives (see {@link StreamFilterSchema}). */
export type StreamFilter = z.infer<typeof StreamFilterSchema>;

/** The four envelope fields a filter reads. */
export type FilterFields = Pick<Envelope, 'event_type' | 'run_id' | 'session_id' | 'audit_level'>;

/** A compiled filter: a predicate over the fields it reads. */
export type FilterMatcher = (fields: FilterFields) => boolean;

/** Compiles a (validated) filter into a predicate; type matches are cached per event type. */
export function compileFilter(filter: StreamFilter = {}): FilterMatcher {
  const runs = filter.run_ids ? new Set(filter.run_ids) : null;
  const sessions = filter.session_ids ? new Set(filter.session_ids) : null;
  const levels: ReadonlySet<AuditLevel> | null = filter.audit_levels ? new Set(filter.audit_levels) : null;
  const types = filter.types ? globsToRegExp(filter.types) : null;
  if (!runs && !sessions && !levels && !types) return () => true;
  const typeCache = new Map<string, boolean>();
  const typeMatches = (type: string): boolean => {
    if (types === null) return true;
    let hit = typeCache.get(type);
    if (hit === undefined) {
      hit = types.test(type);
      if (typeCache.size < 1_000) typeCache.set(type, hit);
    }
    return hit;
  };
  return (e) =>
    (runs === null || runs.has(e.run_id)) &&
    (sessions === null || (e.session_id !== null && sessions.has(e.session_id))) &&
    (levels === null || levels.has(e.audit_level)) &&
    typeMatches(e.event_type);
}
