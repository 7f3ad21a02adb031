import { createObservability, type Envelope } from '@obs/core';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_PENDING_TOOL_CALLS, ToolCallPairer } from './internal/tool-pairs.js';
import { createOtlpSink } from './otlp-sink.js';
import { startOtlpReceiver } from './test/otlp-receiver.js';

let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
afterEach(() => receiver?.close());

const serve = () =>
  createObservability({
    source: 'agent',
    defaultRunId: 'run-1',
    sinks: [
      {
        sink: createOtlpSink({ url: receiver.url }),
        queue: { retryBaseMs: 1, retryMaxMs: 1, maxRetries: 3, lingerMs: 1 },
      },
    ],
  });

type Span = { name: string; startTimeUnixNano: string; endTimeUnixNano: string; status: { code?: number } };
const spansOf = () =>
  receiver.received.flatMap(
    (r) => r.request.resourceSpans?.flatMap((g) => g.scopeSpans!.flatMap((s) => s.spans!)) ?? [],
  ) as unknown as Span[];

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(condition()).toBe(true);
}

describe('a tool.call and its tool.result leave as one execute_tool span', () => {
  it('in different batches: the call waits for its result; the span runs from call to result, status from the result', async () => {
    receiver = await startOtlpReceiver();
    const obs = serve();
    const call = obs.emit('tool.call', { tool: 'search', call_id: 'c1', arguments: { q: 'x' } });
    await until(() => obs.stats().sinks[0]!.written === 1);
    expect(receiver.received).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 20));
    const result = obs.emit(
      'tool.result',
      { tool: 'search', call_id: 'c1', success: false, error: { message: 'down' } },
      { parent_event_id: call.event_id, status: 'error', duration_ms: 20 },
    );
    await obs.flush();
    const spans = spansOf();
    expect(spans).toHaveLength(1);
    expect(spans[0]).toMatchObject({ name: 'execute_tool search', status: { code: 2, message: 'down' } });
    expect(BigInt(spans[0]!.startTimeUnixNano)).toBe(BigInt(Date.parse(call.timestamp)) * 1_000_000n);
    expect(BigInt(spans[0]!.endTimeUnixNano)).toBe(BigInt(Date.parse(result.timestamp)) * 1_000_000n);
    expect(receiver.envelopes()).toEqual([call, result]);
    await obs.shutdown();
  });

  it('a call without a result leaves alone on flush', async () => {
    receiver = await startOtlpReceiver();
    const obs = serve();
    const call = obs.emit('tool.call', { tool: 'search' });
    await obs.flush();
    expect(spansOf().map((s) => s.name)).toEqual(['execute_tool search']);
    expect(receiver.envelopes()).toEqual([call]);
    await obs.shutdown();
  });

  it('a pair whose export failed is sent again as one span', async () => {
    receiver = await startOtlpReceiver();
    receiver.script.push({ status: 503 });
    const obs = serve();
    const call = obs.emit('tool.call', { tool: 't' });
    const result = obs.emit('tool.result', { tool: 't', success: true }, { parent_event_id: call.event_id });
    await obs.flush();
    expect(obs.stats().sinks[0]).toMatchObject({ retries: 1, written: 2, failed: 0 });
    expect(spansOf()).toHaveLength(1);
    expect(receiver.envelopes()).toEqual([call, result]);
    await obs.shutdown();
  });

  it('past the bound of waiting calls the oldest leaves alone', () => {
    const pairer = new ToolCallPairer();
    const call = (i: number) =>
      ({ event_id: `id-${i}`, event_type: 'tool.call', parent_event_id: null }) as Envelope;
    const calls = Array.from({ length: MAX_PENDING_TOOL_CALLS + 1 }, (_, i) => call(i));
    expect(pairer.take(calls)).toEqual([calls[0]]);
    expect(pairer.size).toBe(MAX_PENDING_TOOL_CALLS);
    const result = { event_id: 'r', event_type: 'tool.result', parent_event_id: 'id-0' } as Envelope;
    expect(pairer.take([result])).toEqual([result]);
    expect(pairer.drain()).toHaveLength(MAX_PENDING_TOOL_CALLS);
    expect(pairer.size).toBe(0);
  });
});
