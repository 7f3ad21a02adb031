import { createObservability, ObsError, ObsValidationError } from '@obs/core';
import { describe, expect, it } from 'vitest';
import { EventBus } from './event-bus.js';
import { createStreamSink, streamQueueDefaults } from './stream-sink.js';

describe('createStreamSink', () => {
  it('publishes every emitted event to the bus with its canonical JSON on the next loop turn, with no linger', async () => {
    const bus = new EventBus();
    const seen: string[] = [];
    bus.subscribe((r) => void seen.push(r.json));
    const obs = createObservability({
      source: 'test',
      defaultRunId: 'run-1',
      sinks: [{ sink: createStreamSink({ bus }), queue: streamQueueDefaults }],
    });
    const envelope = obs.emit('span', { operation: 'x' });
    expect(seen).toEqual([]); // emit itself never does the sink's work
    // no flush and no timer: only a few turns of the event loop (setImmediate), which a linger timer would outlast
    for (let turn = 0; turn < 3 && seen.length === 0; turn++) await new Promise((r) => setImmediate(r));
    expect(seen).toHaveLength(1);
    expect(JSON.parse(seen[0]!)).toEqual(envelope);
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
