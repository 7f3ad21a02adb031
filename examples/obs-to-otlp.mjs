// obs feeds the tools teams already run: createOtlpSink sends every event to an OTLP/HTTP endpoint
// (an OpenTelemetry Collector, Jaeger, Tempo, Langfuse, Phoenix), next to the app's own stores.
//
//   node obs-to-otlp.mjs <endpoint>    e.g. http://127.0.0.1:4318 (Jaeger / OTel Collector)
//
// Here the endpoint is whatever the first argument names; the test points it at an obs collector,
// which takes the events back unchanged.
import { createObservability } from '@obs/core';
import { createOtlpSink } from '@obs/otlp';

const url = process.argv[2] ?? 'http://127.0.0.1:4318';
const obs = createObservability({
  source: 'support-agent',
  sinks: [createOtlpSink({ url, protocol: 'http/protobuf', compression: 'gzip' })],
});

await obs.withContext({ run_id: 'ticket-8812', session_id: 'customer-42' }, () =>
  obs.span('answer ticket', async () => {
    obs.emit(
      'llm.call',
      { provider: 'anthropic', model: 'claude-sonnet-4', prompt_tokens: 1_200, completion_tokens: 180 },
      { status: 'ok', duration_ms: 950 },
    );
    const call = obs.emit('tool.call', { tool: 'crm.lookup', arguments: { customer: 42 } });
    obs.emit(
      'tool.result',
      { tool: 'crm.lookup', success: true, output: { plan: 'pro' } },
      { parent_event_id: call.event_id, status: 'ok', duration_ms: 35 },
    );
    obs.emit('log', { level: 'info', message: 'answered from the knowledge base' });
  }),
);
await obs.shutdown(); // flushes: every event has been sent
const [sink] = obs.stats().sinks;
console.log(`sent ${sink?.written} events to ${url}, ${sink?.failed} failed`);
