import { createObservability } from '@obs/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createOtlpSink } from './otlp-sink.js';
import { startOtlpReceiver } from './test/otlp-receiver.js';

let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
afterEach(() => receiver?.close());

const serve = (options: Partial<Parameters<typeof createOtlpSink>[0]> = {}) =>
  createObservability({
    source: 'agent',
    defaultRunId: 'run-1',
    sinks: [
      {
        sink: createOtlpSink({ url: receiver.url, ...options }),
        queue: { retryBaseMs: 1, retryMaxMs: 1, maxRetries: 3 },
      },
    ],
  });

/** Emits a small turn: a span with an llm.call, a tool call and result, and a log line. */
async function emitTurn(obs: ReturnType<typeof serve>) {
  await obs.span('plan', async () => {
    obs.emit(
      'llm.call',
      { provider: 'openai', model: 'gpt-4o', prompt_tokens: 12, completion_tokens: 3, finish_reason: 'stop' },
      { status: 'ok', duration_ms: 42.125 },
    );
    const call = obs.emit('tool.call', { tool: 'search', call_id: 'c1', arguments: { q: 'x' } });
    obs.emit(
      'tool.result',
      { tool: 'search', call_id: 'c1', success: false, error: { message: 'down' } },
      { parent_event_id: call.event_id, status: 'error', duration_ms: 5 },
    );
    obs.emit('log', { level: 'warn', message: 'retrying' });
  });
  await obs.flush();
}

describe('createOtlpSink', () => {
  it.each([
    ['http/protobuf', 'none', 'application/x-protobuf', undefined],
    ['http/json', 'gzip', 'application/json', 'gzip'],
  ] as const)(
    '%s (%s): spans with GenAI attributes, point events as log records',
    async (protocol, compression, type, encoding) => {
      receiver = await startOtlpReceiver();
      const obs = serve({ protocol, compression, headers: { 'x-api-key': 'k' } });
      await emitTurn(obs);
      expect(receiver.received.map((r) => [r.path, r.contentType, r.encoding])).toEqual([
        ['/v1/traces', type, encoding],
        ['/v1/logs', type, encoding],
      ]);
      const spans = receiver.received[0]!.request.resourceSpans![0]!.scopeSpans![0]!.spans!;
      const byName = Object.fromEntries(spans.map((s) => [(s as unknown as { name: string }).name, s]));
      expect(Object.keys(byName).sort()).toEqual(['chat gpt-4o', 'execute_tool search', 'plan'].sort());
      const attrs = (name: string) =>
        Object.fromEntries(byName[name]!.attributes.map((a) => [a.key, Object.values(a.value)[0]]));
      expect(attrs('chat gpt-4o')).toMatchObject({
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.usage.input_tokens': '12',
      });
      const llm = byName['chat gpt-4o'] as unknown as { startTimeUnixNano: string; endTimeUnixNano: string };
      expect(BigInt(llm.endTimeUnixNano) - BigInt(llm.startTimeUnixNano)).toBe(42_125_000n);
      expect(
        spans.filter((s) => (s as unknown as { name: string }).name.startsWith('execute_tool')),
      ).toHaveLength(1);
      expect(byName['execute_tool search']).toMatchObject({ status: { code: 2, message: 'down' } });
      expect(attrs('execute_tool search')).toMatchObject({
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.call.arguments': '{"q":"x"}',
        'obs.event_type': 'tool.call',
        'obs.result.event_type': 'tool.result',
      });
      expect(
        receiver
          .envelopes()
          .map((e) => e.event_type)
          .sort(),
      ).toEqual(['llm.call', 'log', 'span', 'tool.call', 'tool.result']);
      await obs.shutdown();
    },
  );

  it('retries 503 after the Retry-After the endpoint asked for, then delivers', async () => {
    receiver = await startOtlpReceiver();
    receiver.script.push({ status: 503, headers: { 'retry-after': '1' } });
    const obs = serve();
    const started = Date.now();
    obs.emit('llm.call', { provider: 'p', model: 'm' }, { duration_ms: 1 });
    await obs.flush();
    expect(Date.now() - started).toBeGreaterThanOrEqual(990);
    expect(receiver.envelopes()).toHaveLength(1);
    expect(obs.stats().sinks[0]).toMatchObject({ retries: 1, written: 1, failed: 0 });
    await obs.shutdown();
  });

  it.each([429, 502, 504])('retries %i', async (status) => {
    receiver = await startOtlpReceiver();
    receiver.script.push({ status });
    const obs = serve();
    obs.emit('llm.call', { provider: 'p', model: 'm' }, { duration_ms: 1 });
    await obs.flush();
    expect(obs.stats().sinks[0]).toMatchObject({ retries: 1, written: 1 });
    await obs.shutdown();
  });

  it.each([400, 401, 404, 413, 500])('never retries %i: the event is counted failed', async (status) => {
    receiver = await startOtlpReceiver();
    receiver.script.push({ status }, { status });
    const obs = serve();
    obs.emit('llm.call', { provider: 'p', model: 'm' }, { duration_ms: 1 });
    await obs.flush();
    expect(obs.stats().sinks[0]).toMatchObject({ retries: 0, written: 0, failed: 1 });
    expect(obs.stats().sinks[0]!.health.ok).toBe(false);
    expect(receiver.script).toHaveLength(1);
    await obs.shutdown();
  });

  it('an endpoint that refuses connections is retried as transient, then counted failed', async () => {
    receiver = await startOtlpReceiver();
    const url = receiver.url;
    await receiver.close();
    const obs = createObservability({
      source: 'agent',
      defaultRunId: 'run-1',
      sinks: [{ sink: createOtlpSink({ url }), queue: { retryBaseMs: 1, retryMaxMs: 1, maxRetries: 2 } }],
    });
    obs.emit('log', { level: 'info', message: 'x' });
    await obs.flush();
    expect(obs.stats().sinks[0]).toMatchObject({ retries: 2, failed: 1 });
    await obs.shutdown();
  });
});
