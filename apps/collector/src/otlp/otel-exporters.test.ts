import { OTLPTraceExporter as HttpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestCollector, storedEventIds } from '../test/harness.js';
import { otelProvider, recordAgentTurn, treeLines, withReadStore } from '../test/otel-client.js';

let ctx: Awaited<ReturnType<typeof startTestCollector>>;
beforeEach(async () => {
  ctx = await startTestCollector();
});
afterEach(() => ctx.cleanup());

const exporters = {
  'exporter-trace-otlp-proto (application/x-protobuf)': (url: string) => new ProtoExporter({ url }),
  'exporter-trace-otlp-proto with gzip': (url: string) =>
    new ProtoExporter({ url, compression: 'gzip' as never }),
  'exporter-trace-otlp-http (application/json)': (url: string) => new HttpJsonExporter({ url }),
};

describe.each(Object.entries(exporters))('OpenTelemetry JS %s → POST /v1/traces', (_name, make) => {
  it('stores the turn as a run: llm.call tokens, the failed tool call and its exception in the tree', async () => {
    const provider = otelProvider(make(`${ctx.collector.url}/v1/traces`));
    const traceId = recordAgentTurn(provider.getTracer('agent'));
    await provider.shutdown();

    await withReadStore(ctx.dir, async (store) => {
      const run = await store.getRun(traceId);
      expect(run).toMatchObject({ source: 'otel-app', session_id: 'conv-1', llm_call_count: 1 });
      expect([run.prompt_tokens, run.completion_tokens, run.total_tokens]).toEqual([812, 96, 908]);
      const tree = await store.getTraceTree(traceId);
      expect(treeLines(tree.roots)).toEqual([
        'span invoke_agent planner [ok]',
        '  llm.call llm.call [ok]',
        '  tool.call tool.call [-]',
        '    error error [error]',
        '    tool.result tool.result [error]',
      ]);
      const [root] = tree.roots;
      const [llm, call] = root!.children;
      expect(llm!.event.payload).toMatchObject({
        provider: 'openai',
        model: 'gpt-4o-2024-08-06',
        cache_read_tokens: 512,
        reasoning_tokens: 40,
        finish_reason: 'tool_calls',
        input: [{ role: 'user', parts: [{ type: 'text', content: 'find flights' }] }],
      });
      const otel = llm!.event.payload['otel'] as Record<string, string>;
      expect(BigInt(otel['end_time_unix_nano']!) - BigInt(otel['start_time_unix_nano']!)).toBe(
        BigInt(Math.round(llm!.event.duration_ms! * 1e6)),
      );
      expect(call!.event.payload).toMatchObject({
        tool: 'search',
        call_id: 'call_1',
        arguments: { q: 'flights' },
      });
      const [exception, result] = call!.children;
      expect(result!.event.payload).toMatchObject({ success: false, error: { message: 'search failed' } });
      expect(exception!.event.payload).toMatchObject({ message: 'search backend down', type: 'Error' });
    });
  });
});

describe('a batch exported twice', () => {
  it('is stored once: event ids come from the trace and span ids', async () => {
    const { InMemorySpanExporter } = await import('@opentelemetry/sdk-trace-base');
    const memory = new InMemorySpanExporter();
    const provider = otelProvider(memory);
    recordAgentTurn(provider.getTracer('agent'));
    await provider.forceFlush();
    const spans = memory.getFinishedSpans();
    const exporter = new ProtoExporter({ url: `${ctx.collector.url}/v1/traces` });
    for (let i = 0; i < 2; i++) {
      const code = await new Promise<number>((resolve) => exporter.export(spans, (r) => resolve(r.code)));
      expect(code).toBe(0);
    }
    await exporter.shutdown();
    await provider.shutdown();
    const ids = storedEventIds(ctx.dir);
    expect(ids).toHaveLength(5);
    expect(new Set(ids).size).toBe(5);
  });
});
