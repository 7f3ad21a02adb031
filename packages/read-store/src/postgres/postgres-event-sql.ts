/** An event's payload as `jsonb`. */
export const PAYLOAD = `((json::jsonb)->'payload')`;
/** A payload field when it is a JSON string (what SQLite's `json_extract` gives a string for), else NULL. */
export const payloadText = (field: string) =>
  `(CASE WHEN jsonb_typeof(${PAYLOAD}->'${field}') = 'string' THEN ${PAYLOAD}->>'${field}' END)`;
/** Whether a row counts as an error (`isErrorEvent`), over `events`. */
export const ERROR = `(status = 'error' OR event_type = 'error')`;
/** A row's operation (the rollup rules' `rollupOperation`) over `events`. */
export const OPERATION = `(CASE WHEN event_type = 'span' THEN COALESCE(${payloadText('operation')}, 'span') ELSE event_type END)`;
/** The columns of a `Stats['slowest']` row, over `events`. */
export const SLOWEST_COLUMNS = `event_id::text AS event_id, run_id, ${OPERATION} AS name, duration_ms, status,
  (json::jsonb)->>'timestamp' AS timestamp`;
