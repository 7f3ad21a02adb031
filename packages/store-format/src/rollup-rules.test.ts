import { makeEnvelope } from '@obs/core/testing';
import { describe, expect, it } from 'vitest';
import {
  applyToRunSummary,
  applyToSessionSummary,
  emptyRunSummary,
  emptySessionSummary,
  llmUsage,
  runDurationMs,
} from './rollup-rules.js';

const T = 1_000_000;

describe('summary rules', () => {
  it('count events, errors once each, llm calls, tokens (prompt + completion when no total) and cost', () => {
    const events = [
      makeEnvelope(1, { session_id: 's', turn_number: 2 }),
      makeEnvelope(2, { event_type: 'error', status: 'error', payload: { message: 'boom' } }),
      makeEnvelope(3, {
        event_type: 'llm.call',
        payload: { prompt_tokens: 10, completion_tokens: 5, cost_usd: 0.25 },
      }),
      makeEnvelope(4, {
        event_type: 'llm.call',
        status: 'error',
        payload: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 7, cost_usd: -3 },
      }),
      makeEnvelope(5, { session_id: 's', turn_number: 1 }),
    ];
    const run = emptyRunSummary(events[0]!, T + 1);
    const session = emptySessionSummary(T + 1);
    events.forEach((e, i) => {
      applyToRunSummary(run, e, T + 5 - i);
      applyToSessionSummary(session, e, T + 5 - i);
    });
    const counters = {
      first_ts: T + 1,
      last_ts: T + 5,
      event_count: 5,
      error_count: 2,
      llm_call_count: 2,
      prompt_tokens: 11,
      completion_tokens: 6,
      total_tokens: 22,
      cost_usd: 0.25,
    };
    expect(run).toMatchObject({ ...counters, source: 'test', session_id: 's', status: 'running' });
    expect(session).toMatchObject({ ...counters, max_turn_number: 2 });
    expect(runDurationMs(run)).toBeNull();
  });

  it('take the earliest run.started and the latest run.finished, whatever order they arrive in', () => {
    const finished = (seq: number, payload: Record<string, unknown>, status: 'ok' | 'error' | null = null) =>
      makeEnvelope(seq, { event_type: 'run.finished', status, payload });
    const run = emptyRunSummary(makeEnvelope(1), T);
    applyToRunSummary(run, makeEnvelope(1, { event_type: 'run.started', payload: {} }), T + 10);
    applyToRunSummary(run, finished(2, { outcome: 'timeout' }), T + 50);
    applyToRunSummary(run, makeEnvelope(3, { event_type: 'run.started', payload: {} }), T + 5);
    applyToRunSummary(run, finished(4, {}, 'error'), T + 40);
    expect(run).toMatchObject({ started_ts: T + 5, ended_ts: T + 50, status: 'timeout' });
    expect(runDurationMs(run)).toBe(45);
    applyToRunSummary(run, { ...finished(5, {}, 'error'), duration_ms: 7 }, T + 60);
    expect(run).toMatchObject({ ended_ts: T + 60, status: 'failure', reported_duration_ms: 7 });
    expect(runDurationMs(run)).toBe(7);
  });

  it('give tokens and cost only for llm.call events', () => {
    expect(llmUsage(makeEnvelope(1, { payload: { prompt_tokens: 5 } }))).toEqual({
      prompt_tokens: 0,
      completion_tokens: 0,
      total_tokens: 0,
      cost_usd: 0,
    });
  });
});
