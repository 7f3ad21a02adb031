import { OpenTelemetry } from '@ai-sdk/otel';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { generateText, isStepCount, tool } from 'ai';
import { MockLanguageModelV4 } from 'ai/test';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startTestCollector, treeLines } from './collector.js';

let collector: Awaited<ReturnType<typeof startTestCollector>>;
beforeEach(async () => {
  collector = await startTestCollector();
});
afterEach(() => collector.close());

const usage = (input: number, output: number, cacheRead: number, reasoning: number) => ({
  inputTokens: { total: input, noCache: input - cacheRead, cacheRead, cacheWrite: 0 },
  outputTokens: { total: output, text: output - reasoning, reasoning },
});

describe('the AI SDK (ai 7) with @ai-sdk/otel → OTLP protobuf (exporter 0.30x, sdk-trace 3) → collector', () => {
  it('stores generateText with a tool call as a run: two llm.calls with tokens, the tool call in the tree', async () => {
    const model = new MockLanguageModelV4({
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
    const provider = new TracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'trip-app' }),
      spanProcessors: [
        new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${collector.url}/v1/traces` }) }),
      ],
    });
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
      stopWhen: isStepCount(2),
      telemetry: {
        functionId: 'trip-planner',
        integrations: new OpenTelemetry({ tracer: provider.getTracer('ai') }),
      },
    });
    expect(result.text).toBe('It is sunny in Lisbon.');
    await provider.shutdown();

    await collector.read(async (store) => {
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
        'span invoke_agent mock-model [ok]',
        '  span step 1 [ok]',
        '    llm.call llm.call [ok]',
        '    tool.call tool.call [-]',
        '      tool.result tool.result [ok]',
        '  span step 2 [ok]',
        '    llm.call llm.call [ok]',
      ]);
      const [step1, step2] = tree.roots[0]!.children;
      expect(tree.roots[0]!.event.payload).toMatchObject({
        component: 'trip-planner',
        layer: 'invoke_agent',
      });
      const [first, call] = step1!.children;
      expect(first!.event.payload).toMatchObject({
        provider: 'mock-provider',
        model: 'mock-model',
        prompt_tokens: 120,
        completion_tokens: 20,
        cache_read_tokens: 100,
        finish_reason: 'tool-calls',
        input: [{ role: 'user', parts: [{ type: 'text', content: 'Weather in Lisbon?' }] }],
      });
      expect(call!.event.payload).toMatchObject({ tool: 'weather', arguments: { city: 'Lisbon' } });
      expect(call!.children[0]!.event.payload).toMatchObject({
        tool: 'weather',
        success: true,
        output: { city: 'Lisbon', sky: 'sunny' },
      });
      expect(step2!.children[0]!.event.payload).toMatchObject({ prompt_tokens: 160, finish_reason: 'stop' });
    });
  });
});
