import { describe, expect, it } from 'vitest';
import type { EventRecord } from './event-record.js';
import { createObservability } from './observability.js';
import type { Sink } from './sink.js';

/** A store-like sink: an async `write`, and a `writeSync` for caller-runs. */
function storeSink(options: { failSyncTimes?: number } = {}) {
  const stored: number[] = [];
  let failSync = options.failSyncTimes ?? 0;
  const peakQueued = 0;
  const sink: Sink & { stored: number[]; peak: () => number } = {
    name: 'store',
    stored,
    peak: () => peakQueued,
    async write(batch: readonly EventRecord[]) {
      await new Promise((resolve) => setImmediate(resolve));
      for (const r of batch) stored.push(r.envelope.seq);
    },
    writeSync(batch: readonly EventRecord[]) {
      if (failSync > 0) {
        failSync--;
        throw new Error('disk busy');
      }
      for (const r of batch) stored.push(r.envelope.seq);
    },
    flush() {},
    close() {},
  };
  return sink;
}

describe('caller-runs: a full store queue makes the caller write, nothing is dropped', () => {
  it('stores every event of a synchronous loop 100x the queue capacity, in order, with the queue bounded', async () => {
    const sink = storeSink();
    const obs = createObservability({
      source: 't',
      defaultRunId: 'r',
      sinks: [{ sink, queue: { capacity: 100, batchSize: 32 } }],
    });
    let peak = 0;
    for (let i = 0; i < 10_000; i++) {
      obs.emit('log', { level: 'info', message: `m${i}` });
      peak = Math.max(peak, obs.stats().sinks[0]!.queued);
    }
    await obs.flush();
    const stats = obs.stats().sinks[0]!;
    expect(stats.dropped).toBe(0);
    expect(stats.written).toBe(10_000);
    expect(stats.written_by_caller).toBeGreaterThan(9_000);
    expect(peak).toBeLessThanOrEqual(100);
    expect(sink.stored).toEqual([...sink.stored].sort((a, b) => a - b));
    expect(new Set(sink.stored).size).toBe(10_000);
    await obs.shutdown();
  });

  it('is the default: no queue options at all', async () => {
    const sink = storeSink();
    const obs = createObservability({ source: 't', defaultRunId: 'r', sinks: [sink] });
    for (let i = 0; i < 30_000; i++) obs.emit('log', { level: 'info', message: 'x' });
    await obs.flush();
    expect(obs.stats().sinks[0]).toMatchObject({ dropped: 0, written: 30_000 });
    await obs.shutdown();
  });

  it('when writeSync fails, keeps the events (up to twice the capacity) for the async retries, and resumes caller-runs', async () => {
    const sink = storeSink({ failSyncTimes: 1 });
    const obs = createObservability({
      source: 't',
      defaultRunId: 'r',
      sinks: [{ sink, queue: { capacity: 50, batchSize: 10, retryBaseMs: 1 } }],
    });
    for (let i = 0; i < 90; i++) obs.emit('log', { level: 'info', message: 'x' });
    expect(obs.stats().sinks[0]).toMatchObject({ dropped: 0, written_by_caller: 0 });
    await obs.flush();
    for (let i = 0; i < 500; i++) obs.emit('log', { level: 'info', message: 'y' });
    await obs.flush();
    const stats = obs.stats().sinks[0]!;
    expect(stats).toMatchObject({ dropped: 0, written: 590 });
    expect(stats.written_by_caller).toBeGreaterThan(0);
    expect(stats.last_error).toBeNull();
    await obs.shutdown();
  });

  it('a sink without writeSync still bounds memory: past twice the capacity it refuses and counts', async () => {
    const sink = storeSink();
    delete (sink as Partial<Sink>).writeSync;
    const obs = createObservability({
      source: 't',
      defaultRunId: 'r',
      sinks: [{ sink, queue: { capacity: 10 } }],
    });
    for (let i = 0; i < 100; i++) obs.emit('log', { level: 'info', message: 'x' });
    expect(obs.stats().sinks[0]).toMatchObject({ queued: 20, dropped: 80 });
    await obs.shutdown();
  });
});
