import type { Envelope } from '@obs/core';
import type { RunStatus, RunSummary, SessionSummary, UsageSummary } from '../read-store.js';
import type { IndexedEvent } from './indexed-event.js';

interface Usage extends UsageSummary {
  /** First-seen order, the tie-breaker of list pages. */
  ord: number;
  first_ts: number;
  last_ts: number;
  /** Events in read order; sorted to trail order when `sorted` is false and they are needed. */
  events: IndexedEvent[];
  sorted: boolean;
}

/** A run's summary as it builds up, with the rules of the SQLite sink's `runs` table. */
export interface RunAcc extends Usage {
  run_id: string;
  source: string;
  session_id: string | null;
  started_ts: number | null;
  ended_ts: number | null;
  status: RunStatus;
  reported_duration_ms: number | null;
}

/** A session's summary as it builds up. */
export interface SessionAcc extends Usage {
  session_id: string;
  max_turn_number: number | null;
  runs: Set<string>;
}

const usage = (ord: number, ts: number): Usage => ({
  ord,
  first_ts: ts,
  last_ts: ts,
  events: [],
  sorted: true,
  event_count: 0,
  error_count: 0,
  llm_call_count: 0,
  prompt_tokens: 0,
  completion_tokens: 0,
  total_tokens: 0,
  cost_usd: 0,
});

function add(u: Usage, e: IndexedEvent): void {
  const last = u.events[u.events.length - 1];
  if (last !== undefined && (e.ts < last.ts || (e.ts === last.ts && e.ord < last.ord))) u.sorted = false;
  u.events.push(e);
  if (e.ts < u.first_ts) u.first_ts = e.ts;
  if (e.ts > u.last_ts) u.last_ts = e.ts;
  u.event_count++;
  if (e.status === 'error' || e.event_type === 'error') u.error_count++;
  if (e.event_type !== 'llm.call') return;
  u.llm_call_count++;
  u.prompt_tokens += e.prompt_tokens;
  u.completion_tokens += e.completion_tokens;
  u.total_tokens += e.total_tokens;
  u.cost_usd += e.cost_usd;
}

/** Adds an event to its run's summary, creating it. */
export function addToRun(runs: Map<string, RunAcc>, e: IndexedEvent, envelope: Envelope): void {
  let run = runs.get(e.run_id);
  if (run === undefined) {
    run = {
      ...usage(runs.size + 1, e.ts),
      run_id: e.run_id,
      source: e.source,
      session_id: null,
      started_ts: null,
      ended_ts: null,
      status: 'running',
      reported_duration_ms: null,
    };
    runs.set(e.run_id, run);
  }
  add(run, e);
  if (run.session_id === null && e.session_id !== null) run.session_id = e.session_id;
  if (e.event_type === 'run.started' && (run.started_ts === null || e.ts < run.started_ts))
    run.started_ts = e.ts;
  else if (e.event_type === 'run.finished' && (run.ended_ts === null || e.ts >= run.ended_ts)) {
    run.ended_ts = e.ts;
    const outcome = envelope.payload['outcome'];
    run.status = (
      typeof outcome === 'string' ? outcome : e.status === 'error' ? 'failure' : 'success'
    ) as RunStatus;
    run.reported_duration_ms = e.duration_ms;
  }
}

/** Adds an event to its session's summary, creating it. */
export function addToSession(sessions: Map<string, SessionAcc>, e: IndexedEvent): void {
  if (e.session_id === null) return;
  let session = sessions.get(e.session_id);
  if (session === undefined) {
    session = {
      ...usage(sessions.size + 1, e.ts),
      session_id: e.session_id,
      max_turn_number: null,
      runs: new Set(),
    };
    sessions.set(e.session_id, session);
  }
  add(session, e);
  if (e.turn_number !== null && (session.max_turn_number === null || e.turn_number > session.max_turn_number))
    session.max_turn_number = e.turn_number;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function usageOf(u: Usage): UsageSummary {
  return {
    event_count: u.event_count,
    error_count: u.error_count,
    llm_call_count: u.llm_call_count,
    prompt_tokens: u.prompt_tokens,
    completion_tokens: u.completion_tokens,
    total_tokens: u.total_tokens,
    cost_usd: u.cost_usd,
  };
}

/** The public summary of a run. */
export function runSummary(run: RunAcc): RunSummary {
  const duration =
    run.reported_duration_ms ??
    (run.ended_ts === null ? null : run.ended_ts - (run.started_ts ?? run.first_ts));
  return {
    run_id: run.run_id,
    source: run.source,
    session_id: run.session_id,
    status: run.status,
    started_at: iso(run.first_ts),
    ended_at: iso(run.last_ts),
    duration_ms: duration,
    ...usageOf(run),
  };
}

/** The public summary of a session; `runCount` is the number of runs whose first session is this one. */
export function sessionSummary(session: SessionAcc, runCount: number): SessionSummary {
  return {
    session_id: session.session_id,
    status: session.error_count > 0 ? 'error' : 'ok',
    started_at: iso(session.first_ts),
    ended_at: iso(session.last_ts),
    duration_ms: session.last_ts - session.first_ts,
    run_count: runCount,
    max_turn_number: session.max_turn_number,
    ...usageOf(session),
  };
}
