import type { Envelope } from '@obs/core';

/**
 * The rules by which events build the `runs` and `sessions` summaries (see `sqlite/sqlite-tables.ts`), in
 * one place for every backend: `@obs/sink-sqlite` folds a batch into deltas with them and merges the
 * deltas into its rows; `@obs/read-store` folds a JSONL trail with them. Each `apply*` function
 * updates its summary in place from one envelope and its time; nothing else is read or written.
 */

/** What an event adds to token and cost totals: its `llm.call` payload's figures, zero otherwise. */
export interface LlmUsage {
  prompt_tokens: number;
  completion_tokens: number;
  /** The payload's `total_tokens`, or prompt + completion when it has none. */
  total_tokens: number;
  cost_usd: number;
}

/** Time bounds and counters shared by run and session summaries (times in epoch milliseconds). */
export interface SummaryCounters {
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

/** A run's summary: counters plus what its first event, `run.started` and `run.finished` say. */
export interface RunSummaryState extends SummaryCounters {
  /** The first event's source. */
  source: string;
  /** The first session id seen in the run. */
  session_id: string | null;
  started_ts: number | null;
  ended_ts: number | null;
  /** `running` until a `run.finished`, then that event's outcome (the latest one's). */
  status: string;
  /** The latest `run.finished` event's `duration_ms`. */
  reported_duration_ms: number | null;
}

/** A session's summary: counters plus the highest turn number seen. */
export interface SessionSummaryState extends SummaryCounters {
  max_turn_number: number | null;
}

/** The statuses a run summary can have: `running` until a `run.finished` says its outcome. */
export const RUN_STATUSES = ['running', 'success', 'failure', 'cancelled', 'timeout'] as const;
/** One of {@link RUN_STATUSES}. */
export type RunStatus = (typeof RUN_STATUSES)[number];

const NO_USAGE: LlmUsage = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, cost_usd: 0 };

/** The tokens and cost an event adds; only `llm.call` events add any, and bad figures count as 0. */
export function llmUsage(envelope: Envelope): LlmUsage {
  if (envelope.event_type !== 'llm.call') return NO_USAGE;
  const p = envelope.payload;
  const prompt = count(p['prompt_tokens']);
  const completion = count(p['completion_tokens']);
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: p['total_tokens'] === undefined ? prompt + completion : count(p['total_tokens']),
    cost_usd: count(p['cost_usd']),
  };
}

/** Whether an event counts as an error: its status is `error`, or it is an `error` event (counted once). */
export function isErrorEvent(envelope: Envelope): boolean {
  return envelope.status === 'error' || envelope.event_type === 'error';
}

/** Counters at zero and both bounds at `ts`: a summary before its first event is applied. */
export function emptySummaryCounters(ts: number): SummaryCounters {
  return {
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

/** A run's summary before `envelope`, its first event (at `ts`), is applied. */
export function emptyRunSummary(envelope: Envelope, ts: number): RunSummaryState {
  // Object.assign, not a spread: V8 (Node 20) makes a spread followed by more keys in ~15 µs
  return Object.assign(emptySummaryCounters(ts), {
    source: envelope.source,
    session_id: null,
    started_ts: null,
    ended_ts: null,
    status: 'running',
    reported_duration_ms: null,
  });
}

/** A session's summary before its first event (at `ts`) is applied. */
export function emptySessionSummary(ts: number): SessionSummaryState {
  return Object.assign(emptySummaryCounters(ts), { max_turn_number: null });
}

/** Applies one event (at `ts`, epoch ms) to the counters and time bounds of a run or session. */
export function applyToSummary(summary: SummaryCounters, envelope: Envelope, ts: number): void {
  if (ts < summary.first_ts) summary.first_ts = ts;
  if (ts > summary.last_ts) summary.last_ts = ts;
  summary.event_count++;
  if (isErrorEvent(envelope)) summary.error_count++;
  if (envelope.event_type !== 'llm.call') return;
  const usage = llmUsage(envelope);
  summary.llm_call_count++;
  summary.prompt_tokens += usage.prompt_tokens;
  summary.completion_tokens += usage.completion_tokens;
  summary.total_tokens += usage.total_tokens;
  summary.cost_usd += usage.cost_usd;
}

/**
 * Applies one event of the run to its summary: counters, the first session, the earliest
 * `run.started`, and from the latest `run.finished` the end, the status (its `outcome`; without one
 * `failure` if its status is `error`, else `success`) and the reported duration.
 */
export function applyToRunSummary(summary: RunSummaryState, envelope: Envelope, ts: number): void {
  applyToSummary(summary, envelope, ts);
  if (summary.session_id === null && envelope.session_id !== null) summary.session_id = envelope.session_id;
  if (envelope.event_type === 'run.started') {
    if (summary.started_ts === null || ts < summary.started_ts) summary.started_ts = ts;
  } else if (
    envelope.event_type === 'run.finished' &&
    (summary.ended_ts === null || ts >= summary.ended_ts)
  ) {
    summary.ended_ts = ts;
    const outcome = envelope.payload['outcome'];
    summary.status =
      typeof outcome === 'string' ? outcome : envelope.status === 'error' ? 'failure' : 'success';
    summary.reported_duration_ms = envelope.duration_ms;
  }
}

/** Applies one event of the session to its summary: counters and the highest turn number. */
export function applyToSessionSummary(summary: SessionSummaryState, envelope: Envelope, ts: number): void {
  applyToSummary(summary, envelope, ts);
  const turn = envelope.turn_number;
  if (turn !== null && (summary.max_turn_number === null || turn > summary.max_turn_number))
    summary.max_turn_number = turn;
}

/**
 * A run's duration as the summaries report it: the `run.finished` event's `duration_ms`, else from
 * `run.started` (or the first event) to `run.finished`; `null` while running.
 */
export function runDurationMs(summary: RunSummaryState): number | null {
  if (summary.reported_duration_ms !== null) return summary.reported_duration_ms;
  return summary.ended_ts === null ? null : summary.ended_ts - (summary.started_ts ?? summary.first_ts);
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : 0;
}
