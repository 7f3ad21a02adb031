import { context, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { generateText, stepCountIs, tool } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startTestCollector } from '../test/harness.js';
import { otelProvider, treeLines, withReadStore } from '../test/otel-client.js';

let ctx: Awaited<ReturnType<typeof startTestCollector>>;
beforeEach(async () => {
  ctx = await startTestCollector();
});
afterEach(() => ctx.cleanup());

const usage = (input: number, output: number, cacheRead: number, reasoning: number) => ({
  inputTokens: { total: input, noCache: input - cacheRead, cacheRead, cacheWrite: 0 },
  outputTokens: { total: output, text: output - reasoning, reasoning },
});

describe('the AI SDK (ai 6) with experimental_telemetry → OTLP protobuf → collector', () => {
  it('stores generateText with a tool call as a run: two llm.calls with tokens, the tool call in the tree', async () => {
    const model = new MockLanguageModelV3({
      provider: 'mock-provider',
      modelId: 'mock-model',
      doGenerate: [
        {
          content: [
            { type: 'tool-call', toolCallId: 'call-1', toolName: 'weather', input: '{"city":"Lisbon"}' },
          ],
          finishReason: { unified: 'tool-calls', raw: 'tool_calls' },
          usage: usage(120, 20, 100, 8),
          warnings: [],
        },
        {
          content: [{ type: 'text', text: 'It is sunny in Lisbon.' }],
          finishReason: { unified: 'stop', raw: 'stop' },
          usage: usage(160, 12, 0, 0),
          warnings: [],
        },
      ],
    });
    const provider = otelProvider(
      new OTLPTraceExporter({ url: `${ctx.collector.url}/v1/traces` }),
      'trip-app',
    );
    // The AI SDK nests its spans through the active context: the app registers its provider, as apps do.
    provider.register();
    const result = await generateText({
      model,
      prompt: 'Weather in Lisbon?',
      tools: {
        weather: tool({
          description: 'current weather',
          inputSchema: z.object({ city: z.string() }),
          execute: async ({ city }) => ({ city, sky: 'sunny' }),
        }),
      },
      stopWhen: stepCountIs(2),
      experimental_telemetry: {
        isEnabled: true,
        tracer: provider.getTracer('ai'),
        functionId: 'trip-planner',
      },
    });
    expect(result.text).toBe('It is sunny in Lisbon.');
    await provider.shutdown();
    context.disable();
    trace.disable();

    await withReadStore(ctx.dir, async (store) => {
      const { items } = await store.listRuns();
      expect(items).toHaveLength(1);
      const run = items[0]!;
      expect(run).toMatchObject({
        source: 'trip-app',
        llm_call_count: 2,
        prompt_tokens: 280,
        completion_tokens: 32,
      });
      const tree = await store.getTraceTree(run.run_id);
      expect(treeLines(tree.roots)).toEqual([
        'span ai.generateText [ok]',
        '  llm.call llm.call [ok]',
        '  tool.call tool.call [-]',
        '    tool.result tool.result [ok]',
        '  llm.call llm.call [ok]',
      ]);
      const [first, call, second] = tree.roots[0]!.children;
      expect(tree.roots[0]!.event.payload).toMatchObject({
        operation: 'ai.generateText',
        component: 'trip-planner',
      });
      expect(first!.event.payload).toMatchObject({
        provider: 'mock-provider',
        model: 'mock-model',
        prompt_tokens: 120,
        completion_tokens: 20,
        cache_read_tokens: 100,
        reasoning_tokens: 8,
        finish_reason: 'tool-calls',
      });
      expect(call!.event.payload).toMatchObject({
        tool: 'weather',
        call_id: 'call-1',
        arguments: { city: 'Lisbon' },
      });
      expect(call!.children[0]!.event.payload).toMatchObject({
        success: true,
        output: { city: 'Lisbon', sky: 'sunny' },
      });
      expect(second!.event.payload).toMatchObject({
        output: 'It is sunny in Lisbon.',
        finish_reason: 'stop',
      });
    });
  });
});
