import { encodeCursor } from '../cursor.js';
import type { Page, RunStatus, RunSummary, SessionSummary, UsageSummary } from '../read-store.js';

/** A `runs` or `sessions` row as the database returns it. */
export type SummaryRow = Record<string, unknown>;

const COUNTERS = [
  'event_count',
  'error_count',
  'llm_call_count',
  'prompt_tokens',
  'completion_tokens',
  'total_tokens',
  'cost_usd',
] as const;

/** The `runs` columns {@link toRun} reads (SQLite and PostgreSQL name them alike). */
export const RUN_COLUMNS = `run_key, run_id, source, session_id, status, first_ts, last_ts, duration_ms, ${COUNTERS.join(', ')}`;

/** The `sessions s` columns {@link toSession} reads, before the backend's `run_count`. */
export const SESSION_COLUMNS = `s.session_key, s.session_id, s.status, s.first_ts, s.last_ts, s.duration_ms, s.max_turn_number,
  ${COUNTERS.map((c) => `s.${c}`).join(', ')}`;

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

function usage(row: SummaryRow): UsageSummary {
  const out = {} as UsageSummary;
  for (const c of COUNTERS) out[c] = row[c] as number;
  return out;
}

/** A run's summary from its row. */
export function toRun(row: SummaryRow): RunSummary {
  return {
    run_id: row['run_id'] as string,
    source: row['source'] as string | null,
    session_id: row['session_id'] as string | null,
    status: row['status'] as RunStatus,
    started_at: iso(row['first_ts'] as number | null),
    ended_at: iso(row['last_ts'] as number | null),
    duration_ms: row['duration_ms'] as number | null,
    ...usage(row),
  };
}

/** A session's summary from its row (with `run_count`). */
export function toSession(row: SummaryRow): SessionSummary {
  return {
    session_id: row['session_id'] as string,
    status: row['status'] as 'ok' | 'error',
    started_at: iso(row['first_ts'] as number | null),
    ended_at: iso(row['last_ts'] as number | null),
    duration_ms: row['duration_ms'] as number | null,
    run_count: row['run_count'] as number,
    max_turn_number: row['max_turn_number'] as number | null,
    ...usage(row),
  };
}

/**
 * A page of `limit` rows (one more was read to know whether there is a next page), with the keyset
 * cursor `(first_ts, key)` of its last row for backend `b`.
 */
export function summaryPage<T>(
  rows: SummaryRow[],
  limit: number,
  kind: 'r' | 's',
  b: 's' | 'p',
  key: string,
  map: (row: SummaryRow) => T,
): Page<T> {
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  const last = items[items.length - 1];
  return {
    items: items.map(map),
    next_cursor:
      more && last
        ? encodeCursor({ k: kind, b, t: last['first_ts'] as number, i: last[key] as number })
        : null,
  };
}
