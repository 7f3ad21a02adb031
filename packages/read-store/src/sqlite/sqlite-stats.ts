import type { ParsedStatsQuery } from '../query-schemas.js';
import type { Stats } from '../read-store.js';
import { sqliteRawStats } from './sqlite-raw-stats.js';
import { sqliteRollupStats } from './sqlite-rollup-stats.js';
import type { Statements } from './statements.js';

/**
 * `stats` of a SQLite store: from the rollups for a time range and source, from the events of one
 * run or session (the rollups are not keyed by run or session; those sets are bounded and indexed).
 */
export async function sqliteStats(statements: Statements, query: ParsedStatsQuery): Promise<Stats> {
  return query.run_id !== undefined || query.session_id !== undefined
    ? sqliteRawStats(statements, query)
    : sqliteRollupStats(statements, query);
}
