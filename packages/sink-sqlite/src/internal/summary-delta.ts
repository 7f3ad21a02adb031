import type { RunSummaryState, SessionSummaryState } from '@obs/store-format';

/**
 * What one batch adds to one `runs` row (built with core's summary rules), plus the row's key and
 * the key of the run's first session; `summary-sql.ts` merges it into the row.
 */
export interface RunDelta extends RunSummaryState {
  key: number;
  session_key: number | null;
}

/** What one batch adds to one `sessions` row (built with core's summary rules), plus the row's key. */
export interface SessionDelta extends SessionSummaryState {
  key: number;
}
