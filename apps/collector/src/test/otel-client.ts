import { join } from 'node:path';
import { openSqliteReadStore, type ReadStore, type TraceNode } from '@obs/read-store';
import { type Attributes, context, type Span, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

/** A real OpenTelemetry tracer provider (not registered globally) exporting through `exporter`. */
export function otelProvider(exporter: SpanExporter, service = 'otel-app'): NodeTracerProvider {
  return new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
}

const child = (tracer: Tracer, parent: Span, name: string, attributes: Attributes): Span =>
  tracer.startSpan(name, { attributes }, trace.setSpan(context.active(), parent));

/**
 * An agent turn as GenAI-instrumented apps record it: `invoke_agent` with a `chat` call (tokens,
 * cache and reasoning tokens, messages) and an `execute_tool` that fails with an exception.
 * Returns the trace id.
 */
export function recordAgentTurn(tracer: Tracer): string {
  const root = tracer.startSpan('invoke_agent planner', {
    attributes: {
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.agent.name': 'planner',
      'gen_ai.conversation.id': 'conv-1',
    },
  });
  child(tracer, root, 'chat gpt-4o', {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': 'gpt-4o',
    'gen_ai.response.model': 'gpt-4o-2024-08-06',
    'gen_ai.usage.input_tokens': 812,
    'gen_ai.usage.output_tokens': 96,
    'gen_ai.usage.cache_read.input_tokens': 512,
    'gen_ai.usage.reasoning.output_tokens': 40,
    'gen_ai.response.finish_reasons': ['tool_calls'],
    'gen_ai.input.messages': JSON.stringify([
      { role: 'user', parts: [{ type: 'text', content: 'find flights' }] },
    ]),
  }).end();
  const tool = child(tracer, root, 'execute_tool search', {
    'gen_ai.operation.name': 'execute_tool',
    'gen_ai.tool.name': 'search',
    'gen_ai.tool.call.id': 'call_1',
    'gen_ai.tool.call.arguments': '{"q":"flights"}',
  });
  // explicit times: the exception 5 ms before the end, so the trail's time order of the tool's
  // result (stamped at the end) and its exception never depends on how fast this code runs
  const end = Date.now();
  tool.recordException(new Error('search backend down'), end - 5);
  tool.setStatus({ code: SpanStatusCode.ERROR, message: 'search failed' });
  tool.end(end);
  root.end();
  return root.spanContext().traceId;
}

/** Opens the collector's SQLite database through read-store, runs `body`, closes it. */
export async function withReadStore<T>(dir: string, body: (store: ReadStore) => Promise<T>): Promise<T> {
  const store = openSqliteReadStore(join(dir, 'events.db'));
  try {
    return await body(store);
  } finally {
    await store.close();
  }
}

/** A trace tree as `type name [status]` lines, children indented. */
export function treeLines(nodes: readonly TraceNode[], depth = 0): string[] {
  return nodes.flatMap((n) => [
    `${'  '.repeat(depth)}${n.event.event_type} ${n.name} [${n.event.status ?? '-'}]`,
    ...treeLines(n.children, depth + 1),
  ]);
}
