// An app already instrumented with OpenTelemetry sends its traces to obs. The AI SDK runs
// generateText with a tool under experimental_telemetry (with its own mock model, so no API key or
// network is needed); the OpenTelemetry SDK exports the spans as OTLP/HTTP protobuf to the obs
// collector, configured by the standard variables only:
//
//   OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4610   (the collector; /v1/traces is appended)
//   OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf           (or http/json with exporter-trace-otlp-http)
//   OTEL_EXPORTER_OTLP_HEADERS=authorization=Bearer%20<OBS_COLLECTOR_TOKEN>   (when it has a token)
//   OTEL_SERVICE_NAME=trip-app                          (becomes the events' source)
//
// node otel-app.mjs    prints the trace id, which is the obs run id.
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { detectResources, envDetector } from '@opentelemetry/resources';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { generateText, stepCountIs, tool } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { z } from 'zod';

const provider = new NodeTracerProvider({
  resource: detectResources({ detectors: [envDetector] }),
  spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
});
provider.register();

const usage = (input, output) => ({
  inputTokens: { total: input, noCache: input, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: output, text: output, reasoning: 0 },
});
const model = new MockLanguageModelV3({
  provider: 'mock-provider',
  modelId: 'mock-model',
  doGenerate: [
    {
      content: [{ type: 'tool-call', toolCallId: 'call-1', toolName: 'weather', input: '{"city":"Lisbon"}' }],
      finishReason: { unified: 'tool-calls', raw: 'tool_calls' },
      usage: usage(120, 20),
      warnings: [],
    },
    {
      content: [{ type: 'text', text: 'Sunny in Lisbon.' }],
      finishReason: { unified: 'stop', raw: 'stop' },
      usage: usage(160, 12),
      warnings: [],
    },
  ],
});

const tracer = provider.getTracer('trip-app');
const { text, traceId } = await tracer.startActiveSpan('plan trip', async (span) => {
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
    experimental_telemetry: { isEnabled: true, functionId: 'trip-planner' },
  });
  span.end();
  return { text: result.text, traceId: span.spanContext().traceId };
});
await provider.shutdown(); // flushes the BatchSpanProcessor: every span is at the collector
console.log(`run ${traceId}`);
console.log(text);
