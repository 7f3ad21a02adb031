import { createObservability, ObsError, ObsValidationError } from '@obs/core';
import { describe, expect, it } from 'vitest';
import { EventBus } from './event-bus.js';
import { createStreamSink, streamQueueDefaults } from './stream-sink.js';

describe('createStreamSink', () => {
  it('publishes every emitted event to the bus with its canonical JSON, within milliseconds', async () => {
    const bus = new EventBus();
    const seen: { json: string; at: number }[] = [];
    bus.subscribe((r) => void seen.push({ json: r.json, at: performance.now() }));
    const obs = createObservability({
      source: 'test',
      defaultRunId: 'run-1',
      sinks: [{ sink: createStreamSink({ bus }), queue: streamQueueDefaults }],
    });
    const started = performance.now();
    const envelope = obs.emit('span', { operation: 'x' });
    await obs.flush();
    expect(seen).toHaveLength(1);
    expect(JSON.parse(seen[0]!.json)).toEqual(envelope);
    expect(seen[0]!.at - started).toBeLessThan(100);
    await obs.shutdown();
  });

  it('makes its own bus when none is given and refuses writes after close', async () => {
    const sink = createStreamSink({ name: 'live' });
    expect(sink.bus).toBeInstanceOf(EventBus);
    expect(sink.health?.().ok).toBe(true);
    await sink.close();
    expect(() => sink.write([])).toThrow(ObsError);
    expect(sink.health?.().ok).toBe(false);
  });

  it('validates its options', () => {
    expect(() => createStreamSink({ bus: {} as EventBus })).toThrow(ObsValidationError);
    expect(() => createStreamSink({ name: '' })).toThrow(/name/);
    expect(() => createStreamSink({ nope: 1 } as never)).toThrow(/nope/);
  });
});
