import { type LlmSums, rawStats, type TallyRow } from '../internal/raw-stats.js';
import { emptyStats } from '../internal/stats-accumulator.js';
import type { ParsedStatsQuery } from '../query-schemas.js';
import type { Stats, StatsGroupBy } from '../read-store.js';
import { eventWhere, whereSql } from './event-where.js';
import type { Statements } from './statements.js';

/** The key of a built-in type's name (NULL when the store has none), evaluated once per query. */
const typeKey = (name: 'error' | 'span' | 'llm.call') =>
  `(SELECT type_key FROM event_types WHERE event_type = '${name}')`;
const EVENT_TYPE = '(SELECT event_type FROM event_types t WHERE t.type_key = event_rows.type_key)';
/** Whether a row counts as an error (`isErrorEvent`), 1 or 0, over `event_rows`. */
export const ERROR = `(status = 'error' OR type_key = ${typeKey('error')})`;
/** A row's operation (the rollup rules' `rollupOperation`) in SQL over `event_rows`. */
export const OPERATION = `CASE WHEN type_key = ${typeKey('span')}
  THEN COALESCE(json_extract(json, '$.payload.operation'), 'span') ELSE ${EVENT_TYPE} END`;
const KEY_SQL: Record<StatsGroupBy, string> = {
  source: '(SELECT source FROM sources s WHERE s.source_key = event_rows.source_key)',
  event_type: EVENT_TYPE,
  operation: OPERATION,
  layer: "json_extract(json, '$.payload.layer')",
  component: "json_extract(json, '$.payload.component')",
  model: "json_extract(json, '$.payload.model')",
};
const NUM = (field: string) =>
  `CASE WHEN json_type(json, '$.payload.${field}') IN ('integer', 'real') AND json_extract(json, '$.payload.${field}') >= 0
    THEN json_extract(json, '$.payload.${field}') ELSE 0 END`;

/** The columns of a `Stats['slowest']` row, over `event_rows`. */
export const SLOWEST_COLUMNS = `event_id, (SELECT run_id FROM runs r WHERE r.run_key = event_rows.run_key) AS run_id,
  ${OPERATION} AS name, duration_ms, status, json_extract(json, '$.timestamp') AS timestamp`;

/**
 * `stats` of a SQLite store computed from the events themselves (`rawStats`): aggregates in SQL over
 * the filtered events, exact percentiles in JS. Used for one run or session (an indexed, bounded
 * set); other queries read the rollups (`sqlite-rollup-stats.ts`).
 */
export async function sqliteRawStats(statements: Statements, query: ParsedStatsQuery): Promise<Stats> {
  const where = eventWhere(query, statements);
  if (where === null) return emptyStats();
  const { conditions, params } = where;
  const w = whereSql(conditions);
  const and = (extra: string) => whereSql([...conditions, extra]);
  const names = (table: 'sources' | 'event_types', key: string, name: string) =>
    new Map(
      (
        statements.get(`SELECT ${key} AS k, ${name} AS name FROM ${table}`).all() as {
          k: number;
          name: string;
        }[]
      ).map((r) => [r.k, r.name]),
    );
  const tallyRows = (sql: string) =>
    (
      statements
        .get(sql)
        .raw()
        .all(...params) as [unknown, number | null, string | null, number][]
    ).map(([k, d, status, e]): TallyRow => [k, d, status === 'ok', e === 1]);
  return rawStats(
    {
      // counts come from the covering indexes (source_key, status, ts) and (type_key, ts) when unfiltered
      bySourceStatus: () => {
        const sourceNames = names('sources', 'source_key', 'source');
        const rows = statements
          .get(
            `SELECT source_key AS k, status, COUNT(*) AS n, MIN(ts) AS first, MAX(ts) AS last FROM event_rows ${w}
             GROUP BY source_key, status`,
          )
          .all(...params) as { k: number; status: string | null; n: number; first: number; last: number }[];
        return rows.map(({ k, ...c }) => ({ ...c, source: sourceNames.get(k) ?? String(k) }));
      },
      byType: () => {
        const typeNames = names('event_types', 'type_key', 'event_type');
        const rows = statements
          .get(`SELECT type_key AS k, COUNT(*) AS n FROM event_rows ${w} GROUP BY type_key`)
          .all(...params) as { k: number; n: number }[];
        return new Map(rows.map((c) => [typeNames.get(c.k) ?? String(c.k), c.n]));
      },
      errorTypedNotFailed: () => {
        const errorType = statements.key('event_types', 'error');
        if (errorType === undefined) return 0;
        return (
          statements
            .get(`SELECT COUNT(*) AS n FROM event_rows ${and("type_key = ? AND status IS NOT 'error'")}`)
            .get(...params, errorType) as { n: number }
        ).n;
      },
      timeline: (width) => {
        const buckets = statements
          .get(
            `SELECT ts / CAST(? AS INTEGER) AS b, COUNT(*) AS n, SUM(${ERROR}) AS errors FROM event_rows ${w} GROUP BY b`,
          )
          .all(width, ...params) as { b: number; n: number; errors: number }[];
        return new Map(buckets.map((b) => [b.b, { total: b.n, errors: b.errors }]));
      },
      timed: () =>
        tallyRows(
          `SELECT ${OPERATION} AS k, duration_ms AS d, status, ${ERROR} AS e FROM event_rows ${and('duration_ms IS NOT NULL')}`,
        ),
      slowest: (n) =>
        statements
          .get(
            `SELECT ${SLOWEST_COLUMNS} FROM event_rows ${and('duration_ms IS NOT NULL')} ORDER BY duration_ms DESC, ts, id LIMIT ?`,
          )
          .all(...params, n) as Stats['slowest'],
      llm: () =>
        statements
          .get(
            `SELECT TOTAL(${NUM('prompt_tokens')}) AS prompt, TOTAL(${NUM('completion_tokens')}) AS completion,
              TOTAL(CASE WHEN json_type(json, '$.payload.total_tokens') IS NULL
                THEN ${NUM('prompt_tokens')} + ${NUM('completion_tokens')} ELSE ${NUM('total_tokens')} END) AS total,
              TOTAL(${NUM('cost_usd')}) AS cost FROM event_rows ${and(`type_key = ${typeKey('llm.call')}`)}`,
          )
          .get(...params) as LlmSums,
      grouped: (groupBy) =>
        tallyRows(
          `SELECT ${KEY_SQL[groupBy]} AS k, duration_ms AS d, status, ${ERROR} AS e FROM event_rows ${w}`,
        ),
    },
    query,
  );
}
