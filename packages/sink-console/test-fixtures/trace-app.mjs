// A small traced program for the terminal tests: nested spans, a tool call with its result, an LLM
// call and one line too long for any terminal, through the console sink on stderr (its defaults:
// colour and width decided from the stream and the environment). It exits by itself.
import { createObservability } from '@obs/core';
import { createConsoleSink } from '../dist/index.js';

const obs = createObservability({ source: 'trace-app', sinks: [createConsoleSink()], defaultRunId: 'run-1' });

await obs.span(
  'transition',
  async () => {
    await obs.span(
      'gate_check',
      () =>
        obs.span('write', () => obs.emit('log', { level: 'info', message: 'saved 45 tokens' }), {
          layer: 'mem',
          input_summary: 'altitude.session',
          summarize: () => 'written',
        }),
      { layer: 'foc', input_summary: 'WriteApprovalGate', summarize: () => 'allowed' },
    );
    const call = obs.emit('tool.call', { tool: 'web.search', arguments: { q: 'flights', n: 3 } });
    obs.emit(
      'tool.result',
      { tool: 'web.search', success: true, output: { hits: 3 } },
      { parent_event_id: call.event_id, status: 'ok', duration_ms: 12 },
    );
    obs.emit(
      'llm.call',
      { provider: 'openai', model: 'gpt-4o', prompt_tokens: 812, completion_tokens: 96, cost_usd: 0.003 },
      { status: 'ok', duration_ms: 420 },
    );
  },
  { layer: 'alt', input_summary: 'L3→L2', summarize: () => 'success' },
);
obs.emit('agent.thought', {
  kind: 'reasoning',
  content: `long ${'步骤😀 '.repeat(40)}${'x'.repeat(200)} end`,
});
await obs.shutdown();
