import { setTimeout as sleep } from 'node:timers/promises';
import type { Observability } from '@obs/core';
import { SeededRandom } from './random.js';

/** Shape of the simulated multi-agent workload. */
export interface WorkloadOptions {
  seed: number;
  /** Agent runs to simulate in total. */
  runs: number;
  /** Runs started per second (they overlap when runs last longer than the interval). */
  rate: number;
  /** Planning cycles per run (a range). */
  cycles: [number, number];
  /** Simulated think time per step in ms (0 = as fast as possible). */
  stepDelayMs: number;
}

const AGENTS = ['support-agent', 'research-agent', 'coding-agent'] as const;
const MODELS = [
  { provider: 'openai', model: 'gpt-4o', inUsd: 2.5e-6, outUsd: 10e-6 },
  { provider: 'openai', model: 'gpt-4o-mini', inUsd: 0.15e-6, outUsd: 0.6e-6 },
  { provider: 'anthropic', model: 'claude-sonnet-4', inUsd: 3e-6, outUsd: 15e-6 },
] as const;
const TOOLS = ['web.search', 'kb.lookup', 'sql.query', 'code.run', 'email.draft'] as const;
const GOALS = [
  'Resolve ticket #4812: customer cannot reset password',
  'Compare three vector databases for a 10M document corpus',
  'Fix the failing CI job in the payments service',
  'Summarize last week of incident reports',
  'Draft a reply to the enterprise renewal request',
];

/** Runs a realistic simulated agent workload through `obs`: runs, sessions, spans, LLM and tool calls. */
export async function simulateWorkload(obs: Observability, options: WorkloadOptions): Promise<string[]> {
  const random = new SeededRandom(options.seed);
  const plans = Array.from({ length: options.runs }, (_, i) => ({
    runId: `run-${options.seed}-${String(i + 1).padStart(4, '0')}`,
    sessionId: `session-${options.seed}-${Math.floor(i / 3) + 1}`,
    turn: (i % 3) + 1,
    agent: random.pick(AGENTS),
    goal: random.pick(GOALS),
    seed: random.int(1, 2 ** 31),
  }));
  const started = performance.now();
  const running: Promise<void>[] = [];
  for (const [i, { runId, sessionId, turn, agent, goal, seed }] of plans.entries()) {
    const wait = started + (i * 1000) / options.rate - performance.now();
    if (wait > 0) await sleep(wait);
    const context = { run_id: runId, session_id: sessionId, turn_number: turn, request_id: `req-${runId}` };
    running.push(
      obs.withContext(context, () => simulateRun(obs, new SeededRandom(seed), agent, goal, options)),
    );
  }
  await Promise.all(running);
  return plans.map((p) => p.runId);
}

async function simulateRun(
  obs: Observability,
  random: SeededRandom,
  agent: string,
  goal: string,
  options: WorkloadOptions,
) {
  const pause = () =>
    options.stepDelayMs > 0 ? sleep(random.int(0, options.stepDelayMs)) : Promise.resolve();
  obs.emit('run.started', { agent, goal });
  let tokens = 0;
  let cost = 0;
  let failed = false;
  try {
    await obs.span(
      'agent.run',
      async () => {
        const cycles = random.int(...options.cycles);
        for (let cycle = 1; cycle <= cycles; cycle++) {
          await obs.withContext({ cycle }, async () => {
            const usage = await planStep(obs, random, options.stepDelayMs);
            tokens += usage.tokens;
            cost += usage.cost;
            await toolStep(obs, random, pause);
          });
        }
        if (random.chance(0.08)) throw new Error('budget exhausted before the goal was reached');
      },
      { component: agent, layer: 'agent', input_summary: goal },
    );
  } catch (error) {
    failed = true;
    obs.emit(
      'error',
      { stage: 'agent.run', message: (error as Error).message, recoverable: false, type: 'BudgetError' },
      { status: 'error' },
    );
  }
  obs.emit(
    'run.finished',
    {
      outcome: failed ? 'failure' : 'success',
      total_tokens: tokens,
      total_cost_usd: Math.round(cost * 1e6) / 1e6,
    },
    { status: failed ? 'error' : 'ok' },
  );
}

async function planStep(obs: Observability, random: SeededRandom, stepDelayMs: number) {
  return obs.span(
    'plan',
    async () => {
      obs.emit('agent.thought', {
        content: 'Reviewing what I know and deciding the next action.',
        kind: 'reasoning',
      });
      const model = random.pick(MODELS);
      const prompt = random.int(300, 4000);
      const completion = random.int(50, 900);
      const latency = random.int(stepDelayMs, stepDelayMs * 8);
      const started = performance.now();
      if (latency > 0) await sleep(latency);
      const elapsed = Math.round((performance.now() - started) * 1000) / 1000;
      const costUsd = Math.round((prompt * model.inUsd + completion * model.outUsd) * 1e6) / 1e6;
      obs.emit(
        'llm.call',
        {
          provider: model.provider,
          model: model.model,
          prompt_tokens: prompt,
          completion_tokens: completion,
          total_tokens: prompt + completion,
          cost_usd: costUsd,
          latency_ms: elapsed,
          input: 'System: you are a careful agent. User: continue the task.',
          output: 'I will look up the relevant records first.',
          finish_reason: random.chance(0.05) ? 'length' : 'stop',
        },
        { status: 'ok', duration_ms: elapsed },
      );
      const tool = random.pick(TOOLS);
      obs.emit('decision.trace', {
        decision: `call ${tool}`,
        rationale: 'it has the data the goal needs',
        confidence: Math.round(random.next() * 100) / 100,
      });
      if (random.chance(0.1))
        obs.emit('orchestration', {
          change: 'route',
          from: 'planner',
          to: 'specialist',
          reason: 'needs domain tools',
        });
      return { tokens: prompt + completion, cost: costUsd };
    },
    { component: 'Planner', layer: 'llm' },
  );
}

async function toolStep(obs: Observability, random: SeededRandom, pause: () => Promise<unknown>) {
  const tool = random.pick(TOOLS);
  const callId = `call-${random.int(1, 1e9)}`;
  try {
    await obs.span(
      `tool:${tool}`,
      async () => {
        obs.emit('tool.call', {
          tool,
          call_id: callId,
          arguments: { query: 'password reset flow', limit: random.int(1, 20) },
        });
        await pause();
        if (random.chance(0.12)) {
          const error = new Error(`${tool} timed out after 30s`);
          const failure = { message: error.message, stack: error.stack ?? '' };
          obs.emit(
            'tool.result',
            { tool, call_id: callId, success: false, error: failure },
            { status: 'error' },
          );
          throw error;
        }
        obs.emit(
          'tool.result',
          { tool, call_id: callId, success: true, output: { hits: random.int(0, 12) } },
          { status: 'ok' },
        );
        if (random.chance(0.15)) {
          obs.emit('artifact', {
            uri: `s3://agent-artifacts/${callId}.md`,
            mime: 'text/markdown',
            bytes: random.int(200, 90_000),
          });
        }
      },
      { component: 'ToolRunner', layer: 'tool', input_summary: tool },
    );
  } catch (error) {
    const err = error as Error;
    obs.emit(
      'error',
      { stage: `tool:${tool}`, message: err.message, recoverable: true },
      { status: 'error' },
    );
  }
}
