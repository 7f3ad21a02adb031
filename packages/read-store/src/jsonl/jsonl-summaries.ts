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
import type { EventTable } from './event-table.js';
import { rowView } from './row-view.js';

/** What the index keeps beside a summary: its place in list order and its events. */
interface Tracked {
  /** First-seen order, the tie-breaker of list pages. */
  ord: number;
  /** Rows of the event table in read order; sorted to trail order when `sorted` is false and they are needed. */
  events: number[];
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

function track(t: Tracked, ts: Float64Array, row: number): void {
  const last = t.events[t.events.length - 1];
  if (last !== undefined && ts[row]! < ts[last]!) t.sorted = false;
  t.events.push(row);
}

/** The summaries of a trail, by id and by the dictionary index of the id (for the fold's inner loop). */
export interface Summaries {
  runs: Map<string, RunAcc>;
  sessions: Map<string, SessionAcc>;
  runAt: (RunAcc | undefined)[];
  sessionAt: (SessionAcc | undefined)[];
}

/** Adds a live row to its run's and its session's summaries, creating them. */
export function addToSummaries(s: Summaries, t: EventTable, row: number): void {
  const ts = t.columns.ts;
  const e = rowView(t, row);
  const at = ts[row]!;
  const runKey = t.columns.run[row]!;
  let run = s.runAt[runKey];
  if (run === undefined) {
    const runId = t.strings[runKey]!;
    const summary = emptyRunSummary(e, at);
    run = { ...summary, ord: s.runs.size + 1, events: [], sorted: true, run_id: runId };
    s.runs.set(runId, run);
    s.runAt[runKey] = run;
  }
  track(run, ts, row);
  applyToRunSummary(run, e, at);
  const sessionKey = t.columns.session[row]!;
  if (sessionKey >= 0) {
    let session = s.sessionAt[sessionKey];
    if (session === undefined) {
      const sessionId = t.strings[sessionKey]!;
      const summary = emptySessionSummary(at);
      session = {
        ...summary,
        ord: s.sessions.size + 1,
        events: [],
        sorted: true,
        session_id: sessionId,
        runs: new Set(),
      };
      s.sessions.set(sessionId, session);
      s.sessionAt[sessionKey] = session;
    }
    track(session, ts, row);
    applyToSessionSummary(session, e, at);
  }
  if (run.session_id !== null) s.sessions.get(run.session_id)?.runs.add(run.run_id);
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
