import { describe, expect, it, vi } from 'vitest';
import type { Envelope } from './envelope.js';
import { ObsValidationError } from './errors.js';
import type { EventRecord } from './event-record.js';
import { createObservability } from './observability.js';
import type { QueueOptions } from './queue-options.js';
import type { Sink } from './sink.js';
import { createMemorySink } from './testing/memory-sink.js';

/** A sink whose writes hang until `release()`; records what it was given. */
function stalledSink(name: string) {
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const received: Envelope[] = [];
  const sink: Sink = {
    name,
    async write(batch) {
      await released;
      for (const record of batch) received.push(record.envelope);
    },
    flush() {},
    close() {},
  };
  return { sink, received, release };
}

/** A sink whose every write throws; records every batch it was offered. */
function brokenSink(name: string) {
  const offered: Envelope[] = [];
  const sink: Sink = {
    name,
    write(batch: readonly EventRecord[]) {
      for (const record of batch) offered.push(record.envelope);
      throw Object.assign(new Error(`${name}: disk is gone`), { transient: false });
    },
    flush() {},
    close() {},
  };
  return { sink, offered };
}

const reports = (events: readonly Envelope[]) => events.filter((e) => e.event_type === 'obs.dropped');

const burst = (
  obs: { emit(type: 'log', payload: { level: 'info'; message: string }): unknown },
  n: number,
) => {
  for (let i = 0; i < n; i++) obs.emit('log', { level: 'info', message: `m${i}` });
};

const dropping = (overflow: QueueOptions['overflow']): QueueOptions => ({
  capacity: 8,
  overflow,
  maxRetries: 0,
});

describe('obs.dropped', () => {
  it('reports what a stalled drop-newest sink refused to the healthy sink only, outside the caller’s run', async () => {
    const memory = createMemorySink();
    const stalled = stalledSink('live');
    const obs = createObservability({
      source: 'agent',
      sinks: [memory, { sink: stalled.sink, queue: dropping('drop-newest') }],
    });
    obs.withContext({ run_id: 'user-run', session_id: 's1' }, () => burst(obs, 100));
    await vi.waitFor(() => expect(reports(memory.events)).toHaveLength(1));
    const [report] = reports(memory.events);
    expect(report!.payload).toMatchObject({
      sink: 'live',
      counts: { drop_newest: 92 },
      lost: 92,
      totals: { drop_newest: 92 },
      total_lost: 92,
    });
    expect(Date.parse(report!.payload['to'] as string)).toBeGreaterThanOrEqual(
      Date.parse(report!.payload['from'] as string),
    );
    expect(report).toMatchObject({
      run_id: 'obs.drops',
      session_id: null,
      parent_event_id: null,
      source: 'agent',
    });
    expect(obs.stats().sinks.find((s) => s.name === 'live')!.dropped).toBe(92);
    stalled.release();
    await obs.shutdown();
    expect(reports(stalled.received)).toEqual([]);
    expect(stalled.received).toHaveLength(8);
  });

  it('sends at most one report per sink per interval, carrying the totals over', async () => {
    const memory = createMemorySink();
    const stalled = stalledSink('live');
    const obs = createObservability({
      source: 'agent',
      defaultRunId: 'r',
      dropReports: { intervalMs: 60_000, runId: 'drops' },
      sinks: [memory, { sink: stalled.sink, queue: dropping('drop-oldest') }],
    });
    burst(obs, 20);
    await vi.waitFor(() => expect(reports(memory.events)).toHaveLength(1));
    burst(obs, 30);
    await vi.waitFor(() => expect(memory.events.filter((e) => e.event_type === 'log')).toHaveLength(50));
    // the interval has not passed: the second burst waits for the next report
    expect(reports(memory.events)).toHaveLength(1);
    stalled.release();
    await obs.shutdown();
    const [first, second] = reports(memory.events);
    expect(first!.payload).toMatchObject({ counts: { drop_oldest: 12 }, lost: 12, total_lost: 12 });
    expect(second!.payload).toMatchObject({
      // the first 8 are in the hung write by now, so 8 of the 30 fit in the queue again
      counts: { drop_oldest: 22 },
      lost: 22,
      totals: { drop_oldest: 34 },
      total_lost: 34,
    });
    expect(second!.run_id).toBe('drops');
    expect(obs.stats().sinks.find((s) => s.name === 'live')!.dropped).toBe(34);
  });

  it('reports failed writes per sink, never into a failing sink, and never reports its own losses', async () => {
    const memory = createMemorySink();
    const a = brokenSink('broken-a');
    const b = brokenSink('broken-b');
    const obs = createObservability({
      source: 'agent',
      defaultRunId: 'r',
      queue: { maxRetries: 0 },
      sinks: [a.sink, memory, b.sink],
    });
    burst(obs, 10);
    await obs.flush();
    await vi.waitFor(() => expect(reports(memory.events)).toHaveLength(2));
    await obs.shutdown();
    const bySink = Object.fromEntries(reports(memory.events).map((e) => [e.payload['sink'], e.payload]));
    expect(bySink).toEqual({
      'broken-a': expect.objectContaining({ counts: { write_failed: 10 }, lost: 10, total_lost: 10 }),
      'broken-b': expect.objectContaining({ counts: { write_failed: 10 }, lost: 10, total_lost: 10 }),
    });
    // a report offered to the other failing sink (before it failed) is lost without a report of its own
    expect(reports(memory.events)).toHaveLength(2);
    expect(reports(a.offered).every((e) => e.payload['sink'] !== 'broken-a')).toBe(true);
    expect(reports(b.offered).every((e) => e.payload['sink'] !== 'broken-b')).toBe(true);
    expect(obs.stats().failed).toBe(20 + reports(a.offered).length + reports(b.offered).length);
  });

  it('is off with dropReports: false (the counts stay in stats) and rejects bad settings', async () => {
    const memory = createMemorySink();
    const stalled = stalledSink('live');
    const obs = createObservability({
      source: 'agent',
      defaultRunId: 'r',
      dropReports: false,
      sinks: [memory, { sink: stalled.sink, queue: dropping('drop-newest') }],
    });
    burst(obs, 20);
    stalled.release();
    await obs.shutdown();
    expect(reports(memory.events)).toEqual([]);
    expect(obs.stats().dropped).toBe(12);
    for (const dropReports of [
      { intervalMs: -1 },
      { intervalMs: 1.5 },
      { runId: '' },
      { every: 5 },
      true,
      'x',
    ]) {
      expect(() =>
        createObservability({ source: 'a', sinks: [], dropReports: dropReports as never }),
      ).toThrow(ObsValidationError);
    }
  });
});
