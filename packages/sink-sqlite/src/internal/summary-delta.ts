import type { Envelope } from '@obs/core';

/** Counters and bounds one batch adds to one `runs` or `sessions` row. */
export interface SummaryDelta {
  key: number;
  first_ts: number;
  last_ts: number;
  event_count: number;
  error_count: number;
  llm_call_count: number;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  cost_usd: number;
}

/** A run's delta, plus what its first event, `run.started` and `run.finished` say. */
export interface RunDelta extends SummaryDelta {
  source: string;
  session_id: string | null;
  session_key: number | null;
  started_ts: number | null;
  ended_ts: number | null;
  status: string | null;
  reported_duration_ms: number | null;
}

/** A session's delta, plus the highest turn number seen. */
export interface SessionDelta extends SummaryDelta {
  max_turn_number: number | null;
}

/** A fresh delta for row `key`, starting at time `ts`. */
export function emptyDelta(key: number, ts: number): SummaryDelta {
  return {
    key,
    first_ts: ts,
    last_ts: ts,
    event_count: 0,
    error_count: 0,
    llm_call_count: 0,
    prompt_tokens: 0,
    completion_tokens: 0,
    total_tokens: 0,
    cost_usd: 0,
  };
}

/** Adds one inserted event to a delta. */
export function addToDelta(delta: SummaryDelta, envelope: Envelope, ts: number): void {
  if (ts < delta.first_ts) delta.first_ts = ts;
  if (ts > delta.last_ts) delta.last_ts = ts;
  delta.event_count++;
  if (envelope.status === 'error' || envelope.event_type === 'error') delta.error_count++;
  if (envelope.event_type !== 'llm.call') return;
  const p = envelope.payload;
  const prompt = count(p['prompt_tokens']);
  const completion = count(p['completion_tokens']);
  delta.llm_call_count++;
  delta.prompt_tokens += prompt;
  delta.completion_tokens += completion;
  delta.total_tokens += p['total_tokens'] === undefined ? prompt + completion : count(p['total_tokens']);
  delta.cost_usd += count(p['cost_usd']);
}

/** Adds the run-specific facts of one inserted event (in session `sessionKey`) to a run's delta. */
export function addToRunDelta(
  delta: RunDelta,
  envelope: Envelope,
  ts: number,
  sessionKey: number | null,
): void {
  addToDelta(delta, envelope, ts);
  if (delta.session_key === null && sessionKey !== null) {
    delta.session_key = sessionKey;
    delta.session_id = envelope.session_id;
  }
  if (envelope.event_type === 'run.started' && (delta.started_ts === null || ts < delta.started_ts)) {
    delta.started_ts = ts;
  } else if (envelope.event_type === 'run.finished' && (delta.ended_ts === null || ts >= delta.ended_ts)) {
    delta.ended_ts = ts;
    const outcome = envelope.payload['outcome'];
    delta.status =
      typeof outcome === 'string' ? outcome : envelope.status === 'error' ? 'failure' : 'success';
    delta.reported_duration_ms = envelope.duration_ms;
  }
}

/** Adds one inserted event to a session's delta. */
export function addToSessionDelta(delta: SessionDelta, envelope: Envelope, ts: number): void {
  addToDelta(delta, envelope, ts);
  const turn = envelope.turn_number;
  if (turn !== null && (delta.max_turn_number === null || turn > delta.max_turn_number))
    delta.max_turn_number = turn;
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : 0;
}
