import type { EventFilter } from '../query-schemas.js';
import type { SqlParams } from './sql-params.js';
import { likeContains } from './sql-params.js';

const STATUS_SQL = { ok: "status = 'ok'", error: "status = 'error'" } as const;

/** The WHERE terms (joined with AND) of an event filter over `events`; every value is a parameter. */
export function postgresEventWhere(filter: EventFilter, params: SqlParams): string[] {
  const conditions: string[] = [];
  if (filter.run_id !== undefined) conditions.push(`run_id = ${params.add(filter.run_id)}`);
  if (filter.session_id !== undefined) conditions.push(`session_id = ${params.add(filter.session_id)}`);
  if (filter.types !== undefined)
    conditions.push(`event_type = ANY(${params.add([...new Set(filter.types)])}::text[])`);
  if (filter.source !== undefined) conditions.push(`source = ${params.add(filter.source)}`);
  if (filter.status !== undefined) conditions.push(STATUS_SQL[filter.status]);
  if (filter.audit_level !== undefined) conditions.push(`audit_level = ${params.add(filter.audit_level)}`);
  if (filter.parent_event_id !== undefined) {
    conditions.push(`parent_event_id = ${params.add(filter.parent_event_id)}`);
  }
  if (filter.from !== undefined) conditions.push(`ts >= ${params.add(filter.from)}::int8`);
  if (filter.to !== undefined) conditions.push(`ts < ${params.add(filter.to)}::int8`);
  // SQLite's LIKE is case-insensitive for ASCII only; ILIKE under the C collation is the same
  if (filter.text !== undefined)
    conditions.push(`json COLLATE "C" ILIKE ${params.add(likeContains(filter.text))} ESCAPE '\\'`);
  return conditions;
}
