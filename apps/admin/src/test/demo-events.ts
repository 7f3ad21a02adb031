import { createObservability, type Envelope, type Observability, type Sink, uuidv7 } from '@obs/core';

/** The markup a hostile payload carries; the UI must show it as text and never run it. */
export const XSS_PAYLOAD = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">';

/** Ids of the fixture's notable runs, sessions and events. */
export interface DemoIds {
  sessionId: string;
  /** The session's runs, in order. */
  sessionRuns: string[];
  failedRun: string;
  xssRun: string;
  xssEventId: string;
  /** A span with children, for parent/child links. */
  spanEventId: string;
  spanChildIds: string[];
  bigRun: string | null;
}

/** Options of {@link writeDemoEvents}. */
export interface DemoOptions {
  /** Events in one extra large run (0: none). */
  bigRunEvents?: number;
  /** Epoch ms of the first event (default: two hours ago). */
  start?: number;
}

/**
 * Writes a small, realistic workload through real sinks: a three-turn session, a failed run, a run
 * whose payloads hold markup, and optionally a run with thousands of nested events.
 */
export async function writeDemoEvents(sinks: Sink[], options: DemoOptions = {}): Promise<DemoIds> {
  const obs = createObservability({
    source: 'support-agent',
    sinks,
    queue: { capacity: 100_000, batchSize: 2000 },
  });
  let t = options.start ?? Date.now() - 2 * 3_600_000;
  const at = (ms: number) => {
    t += ms;
    return t;
  };
  const sessionId = 'sess-7f3a';
  const sessionRuns: string[] = [];
  let spanEventId = '';
  let spanChildIds: string[] = [];
  for (let turn = 1; turn <= 3; turn++) {
    const runId = `run-turn-${turn}`;
    sessionRuns.push(runId);
    const ids = agentRun(obs, { runId, sessionId, turn, at, fail: false });
    if (turn === 1) ({ spanEventId, spanChildIds } = ids);
  }
  const failedRun = 'run-failed-1';
  agentRun(obs, { runId: failedRun, sessionId: null, turn: null, at, fail: true });

  const xssRun = 'run-xss-<b>bold</b>';
  const started = obs.emit(
    'run.started',
    { agent: XSS_PAYLOAD, goal: XSS_PAYLOAD },
    { run_id: xssRun, timestamp: at(5) },
  );
  const xss = obs.emit(
    'tool.call',
    { tool: `<img src=x onerror="window.__pwned=1">`, arguments: { html: XSS_PAYLOAD, quote: '"\'&<>' } },
    { run_id: xssRun, parent_event_id: started.event_id, timestamp: at(5) },
  );
  obs.emit(
    'log',
    { level: 'warn', message: XSS_PAYLOAD },
    { run_id: xssRun, parent_event_id: started.event_id, timestamp: at(5) },
  );
  obs.emit('run.finished', { outcome: 'success' }, { run_id: xssRun, timestamp: at(5), duration_ms: 15 });

  const bigRun = options.bigRunEvents ? 'run-big' : null;
  if (bigRun) writeBigRun(obs, bigRun, options.bigRunEvents!, at);
  await obs.shutdown();
  const { dropped, failed } = obs.stats();
  if (dropped + failed > 0) throw new Error(`demo fixture lost events: ${dropped} dropped, ${failed} failed`);
  return {
    sessionId,
    sessionRuns,
    failedRun,
    xssRun,
    xssEventId: xss.event_id,
    spanEventId,
    spanChildIds,
    bigRun,
  };
}

function agentRun(
  obs: Observability,
  o: {
    runId: string;
    sessionId: string | null;
    turn: number | null;
    at: (ms: number) => number;
    fail: boolean;
  },
): { spanEventId: string; spanChildIds: string[] } {
  const ctx = { run_id: o.runId, session_id: o.sessionId, turn_number: o.turn };
  const runStart = o.at(60_000);
  obs.emit(
    'run.started',
    { agent: 'support-agent', goal: `answer ticket #${o.turn ?? 0}` },
    { ...ctx, timestamp: runStart },
  );
  const spanStart = o.at(3);
  const spanId = uuidv7(spanStart);
  const children: Envelope[] = [];
  o.at(2);
  children.push(
    obs.emit(
      'llm.call',
      {
        provider: 'openai',
        model: 'gpt-4o-mini',
        prompt_tokens: 820,
        completion_tokens: 140,
        total_tokens: 960,
        cost_usd: 0.00021,
      },
      { ...ctx, parent_event_id: spanId, timestamp: o.at(640), duration_ms: 640, status: 'ok' },
    ),
  );
  children.push(
    obs.emit(
      'tool.call',
      { tool: 'search_kb', arguments: { query: 'refund policy' } },
      { ...ctx, parent_event_id: spanId, timestamp: o.at(5) },
    ),
  );
  children.push(
    obs.emit(
      'tool.result',
      o.fail
        ? { tool: 'search_kb', success: false, error: { message: 'upstream timeout after 3000 ms' } }
        : { tool: 'search_kb', success: true, output: { hits: 3 } },
      {
        ...ctx,
        parent_event_id: spanId,
        timestamp: o.at(180),
        duration_ms: 180,
        status: o.fail ? 'error' : 'ok',
      },
    ),
  );
  if (o.fail) {
    children.push(
      obs.emit(
        'error',
        { stage: 'tool', message: 'search_kb failed: upstream timeout', recoverable: false },
        {
          ...ctx,
          parent_event_id: spanId,
          timestamp: o.at(2),
          status: 'error',
        },
      ),
    );
  }
  obs.emit(
    'span',
    { operation: 'agent.step', component: 'planner', layer: 'agent' },
    {
      ...ctx,
      event_id: spanId,
      timestamp: spanStart,
      duration_ms: o.at(20) - spanStart,
      status: o.fail ? 'error' : 'ok',
    },
  );
  obs.emit(
    'run.finished',
    { outcome: o.fail ? 'failure' : 'success', total_tokens: 960 },
    {
      ...ctx,
      timestamp: o.at(5),
      duration_ms: o.at(0) - runStart,
      status: o.fail ? 'error' : 'ok',
    },
  );
  return { spanEventId: spanId, spanChildIds: children.map((c) => c.event_id) };
}

/** A run of `total` events: spans of 99 children each (LLM calls and logs), under one root. */
function writeBigRun(obs: Observability, runId: string, total: number, at: (ms: number) => number): void {
  const root = obs.emit(
    'run.started',
    { agent: 'batch-agent', goal: 'large trace' },
    { run_id: runId, timestamp: at(60_000) },
  );
  let written = 1;
  let step = 0;
  while (written < total - 1) {
    const spanStart = at(1);
    const spanId = uuidv7(spanStart);
    const children = Math.min(99, total - written - 2);
    for (let i = 0; i < children; i++) {
      const isLlm = i % 3 === 0;
      if (isLlm) {
        obs.emit(
          'llm.call',
          {
            provider: 'openai',
            model: 'gpt-4o-mini',
            prompt_tokens: 100,
            completion_tokens: 20,
            total_tokens: 120,
            cost_usd: 0.00002,
          },
          {
            run_id: runId,
            parent_event_id: spanId,
            timestamp: at(2),
            duration_ms: 2,
            status: 'ok',
          },
        );
      } else {
        obs.emit(
          'log',
          { level: 'info', message: `step ${step} item ${i}` },
          { run_id: runId, parent_event_id: spanId, timestamp: at(1) },
        );
      }
    }
    obs.emit(
      'span',
      { operation: `batch.step.${step % 10}`, layer: 'agent' },
      {
        run_id: runId,
        event_id: spanId,
        parent_event_id: root.event_id,
        timestamp: spanStart,
        duration_ms: at(1) - spanStart,
        status: 'ok',
      },
    );
    written += children + 1;
    step++;
  }
  obs.emit('run.finished', { outcome: 'success' }, { run_id: runId, timestamp: at(1), duration_ms: 1000 });
}
