const COUNTERS = `
  first_ts = MIN(COALESCE(first_ts, @first_ts), @first_ts),
  last_ts = MAX(COALESCE(last_ts, @last_ts), @last_ts),
  event_count = event_count + @event_count,
  error_count = error_count + @error_count,
  llm_call_count = llm_call_count + @llm_call_count,
  prompt_tokens = prompt_tokens + @prompt_tokens,
  completion_tokens = completion_tokens + @completion_tokens,
  total_tokens = total_tokens + @total_tokens,
  cost_usd = cost_usd + @cost_usd`;

/**
 * The value from the batch whose events came first (every right-hand side sees the row as it was
 * before this UPDATE), so a batch committed late, after a retry, does not overwrite the run's origin.
 */
const earliest = (column: string) =>
  `CASE WHEN ${column} IS NULL OR (@${column} IS NOT NULL AND @first_ts < first_ts) THEN COALESCE(@${column}, ${column}) ELSE ${column} END`;

/** Merges a `RunDelta` into its row; order-independent, so batches may commit in any order. */
export const UPDATE_RUN_SQL = `UPDATE runs SET ${COUNTERS},
  source = ${earliest('source')},
  session_id = ${earliest('session_id')},
  session_key = ${earliest('session_key')},
  started_ts = CASE WHEN @started_ts IS NULL THEN started_ts ELSE MIN(COALESCE(started_ts, @started_ts), @started_ts) END,
  ended_ts = CASE WHEN @ended_ts IS NULL OR ended_ts > @ended_ts THEN ended_ts ELSE @ended_ts END,
  status = CASE WHEN @ended_ts IS NULL OR ended_ts > @ended_ts THEN status ELSE @status END,
  reported_duration_ms = CASE WHEN @ended_ts IS NULL OR ended_ts > @ended_ts THEN reported_duration_ms
    ELSE @reported_duration_ms END
WHERE run_key = @key`;

/** Merges a `SessionDelta` into its row. */
export const UPDATE_SESSION_SQL = `UPDATE sessions SET ${COUNTERS},
  max_turn_number = CASE WHEN @max_turn_number IS NULL THEN max_turn_number
    ELSE MAX(COALESCE(max_turn_number, @max_turn_number), @max_turn_number) END
WHERE session_key = @key`;
