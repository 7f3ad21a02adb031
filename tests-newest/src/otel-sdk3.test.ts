import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import { OTLPTraceExporter as HttpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanExporter, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestCollector, treeLines } from './collector.js';

let collector: Awaited<ReturnType<typeof startTestCollector>>;
beforeEach(async () => {
  collector = await startTestCollector();
});
afterEach(() => collector.close());

describe.each([
  ['exporter-trace-otlp-proto 0.30x', (url: string): SpanExporter => new ProtoExporter({ url })],
  ['exporter-trace-otlp-http 0.30x', (url: string): SpanExporter => new HttpJsonExporter({ url })],
])('OpenTelemetry JS sdk-trace 3 + %s → collector → read-store', (_name, make) => {
  it('an agent turn is a run: the chat span an llm.call with its tokens, the failed tool call under the agent', async () => {
    const provider = new TracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'sdk3-app' }),
      spanProcessors: [new BatchSpanProcessor({ exporter: make(`${collector.url}/v1/traces`) })],
    });
    const tracer = provider.getTracer('agent');
    const root = tracer.startSpan('invoke_agent planner', {
      attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.conversation.id': 'conv-3' },
    });
    const inRoot = trace.setSpan(context.active(), root);
    tracer
      .startSpan(
        'chat gpt-4o',
        {
          attributes: {
            'gen_ai.operation.name': 'chat',
            'gen_ai.provider.name': 'openai',
            'gen_ai.request.model': 'gpt-4o',
            'gen_ai.usage.input_tokens': 812,
            'gen_ai.usage.output_tokens': 96,
            'gen_ai.response.finish_reasons': ['stop'],
          },
        },
        inRoot,
      )
      .end();
    const tool = tracer.startSpan(
      'execute_tool search',
      { attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'search' } },
      inRoot,
    );
    tool.setStatus({ code: SpanStatusCode.ERROR, message: 'search failed' });
    tool.end();
    root.end();
    await provider.shutdown();

    const traceId = root.spanContext().traceId;
    await collector.read(async (store) => {
      const run = await store.getRun(traceId);
      expect(run).toMatchObject({ source: 'sdk3-app', session_id: 'conv-3', llm_call_count: 1 });
      expect([run.prompt_tokens, run.completion_tokens, run.total_tokens]).toEqual([812, 96, 908]);
      const tree = await store.getTraceTree(traceId);
      expect(treeLines(tree.roots)).toEqual([
        'span invoke_agent planner [ok]',
        '  llm.call llm.call [ok]',
        '  tool.call tool.call [-]',
        '    tool.result tool.result [error]',
      ]);
      expect(tree.roots[0]!.children[0]!.event.payload).toMatchObject({
        provider: 'openai',
        model: 'gpt-4o',
        finish_reason: 'stop',
      });
    });
  });
});
