import { createObservability } from '@obs/core';
import { createMemorySink } from '@obs/core/testing';
import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { describe, expect, it } from 'vitest';
import { createObsSpanExporter } from './span-exporter.js';

describe('createObsSpanExporter in a real tracer provider', () => {
  it('writes spans through obs: the tree, GenAI fields, status and exact durations, no network', async () => {
    const sink = createMemorySink();
    const obs = createObservability({ source: 'app', sinks: [sink] });
    const provider = new NodeTracerProvider({
      spanProcessors: [new BatchSpanProcessor(createObsSpanExporter(obs))],
    });
    const tracer = provider.getTracer('agent', '1.0.0');
    const root = tracer.startSpan('invoke_agent', {
      attributes: { 'gen_ai.operation.name': 'invoke_agent' },
    });
    const inner = trace.setSpan(context.active(), root);
    tracer
      .startSpan(
        'chat',
        {
          attributes: {
            'gen_ai.operation.name': 'chat',
            'gen_ai.system': 'anthropic',
            'gen_ai.request.model': 'claude',
            'gen_ai.usage.input_tokens': 3,
          },
        },
        inner,
      )
      .end();
    const tool = tracer.startSpan(
      'execute_tool',
      { attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'calc' } },
      inner,
    );
    tool.setStatus({ code: SpanStatusCode.ERROR, message: 'division by zero' });
    tool.end();
    root.end();
    await provider.forceFlush();

    const byType = Object.fromEntries(sink.events.map((e) => [e.event_type, e]));
    expect(sink.events.map((e) => e.event_type).sort()).toEqual([
      'llm.call',
      'span',
      'tool.call',
      'tool.result',
    ]);
    expect(byType['llm.call']).toMatchObject({
      parent_event_id: byType['span']!.event_id,
      run_id: root.spanContext().traceId,
      source: expect.stringMatching(/^unknown_service/),
      payload: {
        provider: 'anthropic',
        model: 'claude',
        prompt_tokens: 3,
        otel: { scope: { name: 'agent', version: '1.0.0' } },
      },
    });
    expect(byType['tool.result']).toMatchObject({
      status: 'error',
      payload: { success: false, error: { message: 'division by zero' } },
    });
    const otel = byType['span']!.payload['otel'] as Record<string, string>;
    expect(byType['span']!.duration_ms).toBe(
      Number(BigInt(otel['end_time_unix_nano']!) - BigInt(otel['start_time_unix_nano']!)) / 1e6,
    );
    await provider.shutdown();
    await obs.shutdown();
  });

  it('fails the export (OpenTelemetry counts it) when a sink could not store it, and after shutdown', async () => {
    const obs = createObservability({
      source: 'app',
      sinks: [{ sink: createMemorySink({ failWrites: 100 }), queue: { maxRetries: 0 } }],
    });
    const exporter = createObsSpanExporter(obs);
    const provider = new BasicTracerProvider();
    const span = provider.getTracer('t').startSpan('x');
    span.end();
    const spans = [span as unknown as Parameters<typeof exporter.export>[0][number]];
    const first = await new Promise<{ code: number; error?: Error }>((resolve) =>
      exporter.export(spans, resolve),
    );
    expect(first.code).toBe(1);
    expect(first.error?.message).toMatch(/could not be stored/);
    await exporter.shutdown();
    const after = await new Promise<{ code: number; error?: Error }>((resolve) =>
      exporter.export(spans, resolve),
    );
    expect(after).toMatchObject({ code: 1, error: { message: expect.stringMatching(/shut down/) } });
    expect(obs.stats().failed).toBeGreaterThan(0);
    await obs.shutdown();
  });
});
