// An agent loop traced with spans, tool calls and LLM calls, with the sinks composed by hand
// (SQLite + JSONL), then read back through @obs/read-store and drawn as the run's trace tree.
//
//   node agent-loop.mjs [data-dir]              # default: a fresh temp dir
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createObservability } from '@obs/core';
import { openReadStore, renderTraceTree } from '@obs/read-store';
import { createJsonlSink } from '@obs/sink-jsonl';
import { createSqliteSink } from '@obs/sink-sqlite';

const dir = process.argv[2] ?? mkdtempSync(join(tmpdir(), 'obs-agent-'));
const dbPath = join(dir, 'events.db');

const obs = createObservability({
  source: 'travel-agent',
  sinks: [
    // stores are lossless: when a queue is full the caller waits instead of dropping
    { sink: createSqliteSink({ path: dbPath }), queue: { overflow: 'block' } },
    { sink: createJsonlSink({ dir: join(dir, 'jsonl') }), queue: { overflow: 'block' } },
  ],
});

// Stand-ins for a model and tools, deterministic so the output is the same every run.
const model = {
  async complete(prompt, step) {
    obs.emit('llm.call', {
      provider: 'example',
      model: 'tiny-planner-1',
      prompt_tokens: 40 + prompt.length,
      completion_tokens: 12,
      cost_usd: 0.0004,
      input: prompt,
      output: step === 1 ? 'call search_flights' : 'call book_flight',
      finish_reason: 'tool_calls',
    });
    return step === 1
      ? { tool: 'search_flights', args: { to: 'LIS' } }
      : { tool: 'book_flight', args: { id: 'TP123' } };
  },
};
const tools = {
  search_flights: async ({ to }) => [{ id: 'TP123', to, price: 180 }],
  book_flight: async ({ id }) => {
    if (id !== 'TP123') throw new Error(`no such flight ${id}`);
    return { confirmation: 'ABC-42' };
  },
  check_visa: async () => {
    throw new Error('visa service unavailable');
  },
};

/** Calls a tool inside its own span, recording the call and its result (or error). */
async function callTool(name, args, callId) {
  return obs.span(
    `tool ${name}`,
    async () => {
      obs.emit('tool.call', { tool: name, call_id: callId, arguments: args });
      try {
        const output = await tools[name](args);
        obs.emit('tool.result', { tool: name, call_id: callId, success: true, output }, { status: 'ok' });
        return output;
      } catch (error) {
        obs.emit(
          'tool.result',
          {
            tool: name,
            call_id: callId,
            success: false,
            error: { message: error.message, stack: error.stack },
          },
          { status: 'error' },
        );
        throw error; // the span records it (status error, message, stack) and rethrows
      }
    },
    { component: 'ToolRunner', layer: 'tool' },
  );
}

async function runAgent(goal) {
  obs.emit('run.started', { agent: 'travel-agent', goal });
  await callTool('check_visa', { country: 'PT' }, 'call-0').catch((error) =>
    obs.emit('log', { level: 'warn', message: `continuing without a visa check: ${error.message}` }),
  );
  for (let step = 1; step <= 2; step++) {
    await obs.withContext({ cycle: step }, () =>
      obs.span(`step ${step}`, async () => {
        const plan = await obs.span('plan', () => model.complete(`${goal} (step ${step})`, step), {
          component: 'Planner',
          layer: 'llm',
        });
        obs.emit('agent.thought', { content: `next: ${plan.tool}`, kind: 'plan' });
        await callTool(plan.tool, plan.args, `call-${step}`);
      }),
    );
  }
  obs.emit('run.finished', { outcome: 'success', summary: 'booked TP123' }, { status: 'ok' });
}

await obs.withContext({ run_id: 'trip-1', session_id: 'chat-1', turn_number: 1 }, () =>
  runAgent('book a flight to Lisbon'),
);
await obs.shutdown();

// Read it back through the one read contract, as the CLI and the dashboard do.
const store = await openReadStore(dbPath);
try {
  const run = await store.getRun('trip-1');
  console.log(
    `run ${run.run_id} (${run.status}): ${run.event_count} events, ${run.llm_call_count} LLM calls, ` +
      `${run.total_tokens} tokens, $${run.cost_usd.toFixed(4)}, ${run.error_count} errors`,
  );
  process.stdout.write(renderTraceTree(await store.getTraceTree('trip-1')));
} finally {
  await store.close();
}
console.log(`stored in ${dbPath} and ${join(dir, 'jsonl')}`);
