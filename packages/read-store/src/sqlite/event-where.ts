import type { EventFilter } from '../query-schemas.js';
import { likeContains, type Statements } from './statements.js';

/** SQL conditions (joined with AND) and their parameters, or `null` when nothing can match. */
export interface Where {
  conditions: string[];
  params: unknown[];
}

const STATUS_SQL = { ok: "status = 'ok'", error: "status = 'error'" } as const;

/**
 * The WHERE terms of an event filter. Names are first turned into integer keys (a name that is not
 * in the store means no event matches) so the planner uses the integer indexes; every value is a
 * bound parameter, and the only literals come from the fixed status map (for the partial index).
 */
export function eventWhere(filter: EventFilter, statements: Statements): Where | null {
  const conditions: string[] = [];
  const params: unknown[] = [];
  if (filter.run_id !== undefined) {
    const key = statements.key('runs', filter.run_id);
    if (key === undefined) return null;
    conditions.push('run_key = ?');
    params.push(key);
  }
  if (filter.session_id !== undefined) {
    const key = statements.key('sessions', filter.session_id);
    if (key === undefined) return null;
    conditions.push('session_key = ?');
    params.push(key);
  }
  if (filter.types !== undefined) {
    const keys = [...new Set(filter.types)]
      .map((t) => statements.key('event_types', t))
      .filter((k) => k !== undefined);
    if (keys.length === 0) return null;
    conditions.push(keys.length === 1 ? 'type_key = ?' : `type_key IN (${keys.map(() => '?').join(', ')})`);
    params.push(...keys);
  }
  if (filter.source !== undefined) {
    const key = statements.key('sources', filter.source);
    if (key === undefined) return null;
    conditions.push('source_key = ?');
    params.push(key);
  }
  if (filter.status !== undefined) conditions.push(STATUS_SQL[filter.status]);
  if (filter.audit_level !== undefined) {
    conditions.push('audit_level = ?');
    params.push(filter.audit_level);
  }
  if (filter.parent_event_id !== undefined) {
    conditions.push('parent_event_id = ?');
    params.push(filter.parent_event_id);
  }
  if (filter.from !== undefined) {
    conditions.push('ts >= ?');
    params.push(filter.from);
  }
  if (filter.to !== undefined) {
    conditions.push('ts < ?');
    params.push(filter.to);
  }
  if (filter.text !== undefined) {
    conditions.push("json LIKE ? ESCAPE '\\'");
    params.push(likeContains(filter.text));
  }
  return { conditions, params };
}

/** `WHERE a AND b`, or an empty string. */
export function whereSql(conditions: readonly string[]): string {
  return conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`;
}
