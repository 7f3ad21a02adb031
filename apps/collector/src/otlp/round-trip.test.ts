import { createObservability, serializeEnvelope } from '@obs/core';
import { createMemorySink } from '@obs/core/testing';
import { createOtlpSink } from '@obs/otlp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestCollector } from '../test/harness.js';
import { treeLines, withReadStore } from '../test/otel-client.js';

let ctx: Awaited<ReturnType<typeof startTestCollector>>;
beforeEach(async () => {
  ctx = await startTestCollector();
});
afterEach(() => ctx.cleanup());

describe.each(['http/protobuf', 'http/json'] as const)(
  'obs → OTLP sink (%s) → collector → read-store',
  (protocol) => {
    it('gives back the same events, byte for byte: tree, statuses, tokens, durations, ids, payloads', async () => {
      const memory = createMemorySink();
      const obs = createObservability({
        source: 'agent',
        sinks: [memory, createOtlpSink({ url: ctx.collector.url, protocol, compression: 'gzip' })],
      });
      await obs.withContext({ run_id: 'run-rt', session_id: 'sess-1', turn_number: 2 }, async () => {
        obs.emit('run.started', { agent: 'triage' });
        await obs.span(
          'plan',
          async () => {
            obs.emit(
              'llm.call',
              {
                provider: 'openai',
                model: 'gpt-4o',
                prompt_tokens: 812,
                completion_tokens: 96,
                total_tokens: 908,
                cost_usd: 0.0031,
                input: [{ role: 'user', content: 'hi' }],
              },
              { status: 'ok', duration_ms: 420.125 },
            );
            const call = obs.emit('tool.call', {
              tool: 'search',
              call_id: 'c1',
              arguments: { q: 'flights' },
            });
            obs.emit(
              'tool.result',
              {
                tool: 'search',
                call_id: 'c1',
                success: false,
                error: { message: 'timeout', type: 'TimeoutError' },
              },
              { parent_event_id: call.event_id, status: 'error', duration_ms: 1500 },
            );
            obs.emit('log', { level: 'warn', message: 'falling back' });
            obs.emit('agent.thought', { content: 'try the cache', kind: 'plan' });
          },
          { layer: 'planner' },
        );
        obs.emit('run.finished', { outcome: 'failure', total_tokens: 908 }, { status: 'error' });
      });
      await obs.shutdown();

      await withReadStore(ctx.dir, async (store) => {
        const tree = await store.getTraceTree('run-rt');
        const stored = (await store.listEvents({ run_id: 'run-rt', limit: 100 })).items.map(
          (e) => e.envelope,
        );
        expect(stored.map(serializeEnvelope).sort()).toEqual(memory.events.map(serializeEnvelope).sort());
        // Roots of one millisecond are listed in storage order, which differs (spans and logs are two requests).
        expect(treeLines([...tree.roots].sort((a, b) => a.event.seq - b.event.seq))).toEqual([
          'run.started run.started [-]',
          'span plan [ok]',
          '  llm.call llm.call [ok]',
          '  tool.call tool.call [-]',
          '    tool.result tool.result [error]',
          '  log log [-]',
          '  agent.thought agent.thought [-]',
          'run.finished run.finished [error]',
        ]);
        const run = await store.getRun('run-rt');
        expect(run).toMatchObject({
          source: 'agent',
          session_id: 'sess-1',
          prompt_tokens: 812,
          completion_tokens: 96,
          status: 'failure',
        });
      });
    });
  },
);
