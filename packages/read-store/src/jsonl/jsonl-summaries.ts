import type { Envelope } from '@obs/core';
import {
  applyToRunSummary,
  applyToSessionSummary,
  emptyRunSummary,
  emptySessionSummary,
  type RunSummaryState,
  runDurationMs,
  type SessionSummaryState,
  type SummaryCounters,
} from '@obs/store-format';
import type { RunStatus, RunSummary, SessionSummary, UsageSummary } from '../read-store.js';
import type { IndexedEvent } from './indexed-event.js';

/** What the index keeps beside a summary: its place in list order and its events. */
interface Tracked {
  /** First-seen order, the tie-breaker of list pages. */
  ord: number;
  /** Events in read order; sorted to trail order when `sorted` is false and they are needed. */
  events: IndexedEvent[];
  sorted: boolean;
}

/** A run's summary as it builds up, by core's summary rules (the SQLite sink's `runs` table uses them too). */
export interface RunAcc extends RunSummaryState, Tracked {
  run_id: string;
}

/** A session's summary as it builds up, by core's summary rules. */
export interface SessionAcc extends SessionSummaryState, Tracked {
  session_id: string;
  runs: Set<string>;
}

function track(t: Tracked, e: IndexedEvent): void {
  const last = t.events[t.events.length - 1];
  if (last !== undefined && (e.ts < last.ts || (e.ts === last.ts && e.ord < last.ord))) t.sorted = false;
  t.events.push(e);
}

/** Adds an event to its run's summary, creating it. */
export function addToRun(runs: Map<string, RunAcc>, e: IndexedEvent, envelope: Envelope): void {
  let run = runs.get(e.run_id);
  if (run === undefined) {
    const summary = emptyRunSummary(envelope, e.ts);
    run = { ...summary, ord: runs.size + 1, events: [], sorted: true, run_id: e.run_id };
    runs.set(e.run_id, run);
  }
  track(run, e);
  applyToRunSummary(run, envelope, e.ts);
}

/** Adds an event to its session's summary, creating it. */
export function addToSession(sessions: Map<string, SessionAcc>, e: IndexedEvent, envelope: Envelope): void {
  if (e.session_id === null) return;
  let session = sessions.get(e.session_id);
  if (session === undefined) {
    const summary = emptySessionSummary(e.ts);
    session = {
      ...summary,
      ord: sessions.size + 1,
      events: [],
      sorted: true,
      session_id: e.session_id,
      runs: new Set(),
    };
    sessions.set(e.session_id, session);
  }
  track(session, e);
  applyToSessionSummary(session, envelope, e.ts);
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function usageOf(u: SummaryCounters): UsageSummary {
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
  return {
    run_id: run.run_id,
    source: run.source,
    session_id: run.session_id,
    status: run.status as RunStatus,
    started_at: iso(run.first_ts),
    ended_at: iso(run.last_ts),
    duration_ms: runDurationMs(run),
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
