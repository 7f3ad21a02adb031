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
import type { EventTable } from './event-table.js';

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

const view = {
  event_type: '',
  source: '',
  session_id: null as string | null,
  status: null as 'ok' | 'error' | null,
  duration_ms: null as number | null,
  turn_number: null as number | null,
  payload: {} as Record<string, unknown>,
};
const payload = {
  outcome: undefined as string | undefined,
  prompt_tokens: 0,
  completion_tokens: 0,
  total_tokens: 0,
  cost_usd: 0,
};

/**
 * The fields the summary rules read, refilled from a row's columns (the line itself stays on disk),
 * so the rules stay the one definition for every backend. One object, reused: the rules keep nothing.
 */
function summaryView(t: EventTable, row: number): Envelope {
  const c = t.columns;
  view.event_type = t.strings[c.type[row]!]!;
  view.source = t.strings[c.source[row]!]!;
  view.session_id = t.text('session', row);
  view.status = c.status[row] === 0 ? null : c.status[row] === 1 ? 'ok' : 'error';
  view.duration_ms = Number.isNaN(c.duration[row]!) ? null : c.duration[row]!;
  view.turn_number = Number.isNaN(c.turn[row]!) ? null : c.turn[row]!;
  payload.outcome = t.text('outcome', row) ?? undefined;
  payload.prompt_tokens = c.prompt_tokens[row]!;
  payload.completion_tokens = c.completion_tokens[row]!;
  payload.total_tokens = c.total_tokens[row]!;
  payload.cost_usd = c.cost_usd[row]!;
  view.payload = payload;
  return view as unknown as Envelope;
}

/** Adds a live row to its run's and its session's summaries, creating them. */
export function addToSummaries(
  runs: Map<string, RunAcc>,
  sessions: Map<string, SessionAcc>,
  t: EventTable,
  row: number,
): void {
  const ts = t.columns.ts as Float64Array;
  const e = summaryView(t, row);
  const at = ts[row]!;
  const runId = t.strings[t.columns.run[row]!]!;
  let run = runs.get(runId);
  if (run === undefined) {
    const summary = emptyRunSummary(e, at);
    run = { ...summary, ord: runs.size + 1, events: [], sorted: true, run_id: runId };
    runs.set(runId, run);
  }
  track(run, ts, row);
  applyToRunSummary(run, e, at);
  if (e.session_id !== null) {
    let session = sessions.get(e.session_id);
    if (session === undefined) {
      const summary = emptySessionSummary(at);
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
    track(session, ts, row);
    applyToSessionSummary(session, e, at);
  }
  if (run.session_id !== null) sessions.get(run.session_id)?.runs.add(runId);
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
