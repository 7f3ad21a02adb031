import { randomUUID } from 'node:crypto';
import type { Envelope } from '@obs/core';
import { makeEnvelope } from '@obs/core/testing';

const WORDS =
  `the a to of and in is for that this it with on be as we file function test error value need should
not will can call result tool user check first then next return data from by config read write update fix type
string number list run step plan code module import export build output input path line change try again see
found missing expected but instead let me look at issue problem approach option better because so now done
request response model token cost latency retry timeout cache query search index table row column schema
migration database sqlite json parse validate event stream sink batch queue flush close open handle async await
promise throw catch stack trace span parent child context session turn cycle agent thought decision route gate
stance handoff summary reason confidence score candidate answer question task goal subtask progress status ok`
    .split(/\s+/)
    .filter(Boolean);

const TOOLS = [
  'read_file',
  'write_file',
  'search_code',
  'run_tests',
  'shell',
  'http_get',
  'list_dir',
  'apply_patch',
];
const MODELS = ['gpt-4.1', 'claude-sonnet-4', 'gpt-4.1-mini', 'llama-3.3-70b'];
const SOURCES = ['planner', 'coder', 'reviewer', 'researcher'];
const SYSTEM_PROMPTS = SOURCES.map(
  (s, i) =>
    `You are the ${s} agent of a software team. Follow the plan, call tools when you need facts, never invent file contents, ` +
    `explain each decision briefly and stop when the task is done. Rules: ${Array.from({ length: 12 + i }, (_, k) => `(${k + 1}) rule ${k} for ${s}: keep changes small and tested`).join('; ')}.`,
);

/** A small deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Yields realistic agent-event envelopes (llm calls with prompts, tool calls and results, thoughts, spans, logs). */
export function* agentEvents(seed = 1, startMs = Date.UTC(2025, 0, 1)): Generator<Envelope> {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * r() * xs.length)]!;
  const sentence = (n: number) => Array.from({ length: n }, () => pick(WORDS)).join(' ');
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(r() * 16).toString(16)).join('');
  const uuid7 = (ms: number) =>
    `${ms
      .toString(16)
      .padStart(12, '0')
      .replace(/^(.{8})(.{4})$/, '$1-$2')}-7${hex(3)}-${'89ab'[Math.floor(r() * 4)]}${hex(3)}-${hex(12)}`;
  let ms = startMs;
  let seq = 0;
  for (;;) {
    const source = pick(SOURCES);
    const runId = uuid7(ms);
    const sessionId = `sess-${hex(8)}`;
    const base = (type: string, payload: Record<string, unknown>, extra: Partial<Envelope> = {}) => {
      ms += 1 + Math.floor(r() * 40);
      return makeEnvelope(++seq, {
        event_id: uuid7(ms),
        event_type: type,
        timestamp: new Date(ms).toISOString(),
        source,
        run_id: runId,
        session_id: sessionId,
        payload,
        ...extra,
      });
    };
    const goal = sentence(12 + Math.floor(r() * 20));
    yield base('run.started', { agent: source, goal });
    const turns = 3 + Math.floor(r() * 10);
    for (let turn = 1; turn <= turns; turn++) {
      const latency = Math.round(200 + r() * 4000);
      const prompt = 300 + Math.floor(r() * 3000);
      yield base(
        'llm.call',
        {
          provider: 'openai',
          model: pick(MODELS),
          prompt_tokens: prompt,
          completion_tokens: Math.floor(prompt / 8),
          total_tokens: prompt + Math.floor(prompt / 8),
          cost_usd: Math.round(prompt * 0.3) / 100000,
          latency_ms: latency,
          input: [
            { role: 'system', content: SYSTEM_PROMPTS[SOURCES.indexOf(source)] },
            { role: 'user', content: goal },
            { role: 'assistant', content: sentence(20 + Math.floor(r() * 60)) },
          ],
          output: sentence(30 + Math.floor(r() * 120)),
          finish_reason: 'stop',
        },
        { turn_number: turn, status: 'ok', duration_ms: latency },
      );
      yield base(
        'agent.thought',
        { content: sentence(15 + Math.floor(r() * 50)), kind: 'reasoning' },
        { turn_number: turn },
      );
      const tool = pick(TOOLS);
      const callId = `call_${hex(24)}`;
      yield base(
        'tool.call',
        {
          tool,
          call_id: callId,
          arguments: { path: `src/${pick(WORDS)}/${pick(WORDS)}.ts`, query: sentence(4) },
        },
        { turn_number: turn },
      );
      const ok = r() > 0.1;
      yield base(
        'tool.result',
        ok
          ? {
              tool,
              call_id: callId,
              success: true,
              output: { lines: Array.from({ length: 3 + Math.floor(r() * 12) }, () => sentence(8)) },
            }
          : {
              tool,
              call_id: callId,
              success: false,
              error: {
                message: `${tool} failed: ${sentence(8)}`,
                stack: `Error: ${sentence(6)}\n    at ${tool} (src/tools/${tool}.ts:${Math.floor(r() * 400)}:${Math.floor(r() * 40)})`,
              },
            },
        { turn_number: turn, status: ok ? 'ok' : 'error', duration_ms: Math.round(r() * 900) },
      );
      yield base(
        'span',
        { operation: `${tool}.execute`, component: 'tools', layer: 'runtime', input_summary: sentence(5) },
        { status: 'ok', duration_ms: Math.round(r() * 900) },
      );
      if (r() < 0.3) yield base('log', { level: 'info', message: sentence(10) });
    }
    yield base('run.finished', {
      outcome: 'success',
      summary: sentence(25),
      total_tokens: Math.floor(r() * 50000),
    });
  }
}

/** A random UUID, for unique names in tests. */
export const uniqueName = () => randomUUID().slice(0, 8);
